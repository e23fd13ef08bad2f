using Google.Protobuf;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Onnx;

/// <summary>
/// Puts the date steps of <see cref="DateParts"/> in front of a converted graph: the graph's inputs <c>{column}.year</c>,
/// <c>.month</c>, … become computed tensors and the raw date string <c>{column}</c> becomes the input. Tokenizer
/// (<c>com.microsoft</c>) cuts the text, LabelEncoders read the tokens, int64 arithmetic gives day of week and day of
/// year, and Where turns an unreadable date into NaN for the graph's own imputer. Opset 12 operators only, the set the
/// converter's graph already imports.
/// </summary>
internal static class DateGraph
{
    private const int StringType = 8;

    public static void Prepend(OnnxModelEditor model, FeatureColumn column)
    {
        var nodes = new List<IMessage>();
        var c = column.Name;
        var prefix = $"mlops.{c}.";
        string Name(string n) => prefix + n;
        string Add(string op, string output, IEnumerable<string> inputs, string domain = "", params (string, object)[] attributes)
        {
            nodes.Add(model.Node(op, inputs, Name(output), domain, attributes));
            return Name(output);
        }

        var constants = new Dictionary<long, string>();
        string K(long v) => constants.TryGetValue(v, out var k) ? k : constants[v] = model.Constant(Name($"k{v}"), v);

        // Tokens of the text, then four "0" tokens so the first four always exist (as DateParts pads).
        var separators = ("separators", (object)DateParts.Separators.ToArray());
        var tokens = Add("Tokenizer", "tokens", [c], "com.microsoft", ("mark", 0L), ("pad_value", "0"), ("mincharnum", 1L), separators);
        var zerosText = Add("LabelEncoder", "zerosText", [c], "ai.onnx.ml", ("keys_strings", new[] { "0" }), ("values_strings", new[] { "0-0-0-0" }), ("default_string", "0-0-0-0"));
        var zeros = Add("Tokenizer", "zeros", [zerosText], "com.microsoft", ("mark", 0L), ("pad_value", "0"), ("mincharnum", 1L), separators);
        var padded = Add("Concat", "padded", [tokens, zeros], "", ("axis", 2L));

        string Lookup(int index, string part, IEnumerable<(string Token, long Value)> table)
        {
            var token = Add("Gather", part + "Token", [padded, model.Constant(Name($"index{index}"), index, scalar: true)], "", ("axis", 2L));
            var entries = table.ToList();
            return Add("LabelEncoder", part + "Int", [token], "ai.onnx.ml",
                ("keys_strings", entries.Select(e => e.Token).ToArray()), ("values_int64s", entries.Select(e => e.Value).ToArray()), ("default_int64", -1L));
        }

        var year = Lookup(0, "year", DateParts.YearTable());
        var month = Lookup(1, "month", DateParts.SmallTable());
        var day = Lookup(2, "day", DateParts.SmallTable());
        var valid = Add("And", "valid", [
            Add("And", "validYear", [Add("Greater", "yearKnown", [year, K(-1)]), Add("Greater", "monthLow", [month, K(0)])]),
            Add("And", "validDay", [
                Add("And", "monthDay", [Add("Less", "monthHigh", [month, K(13)]), Add("Greater", "dayLow", [day, K(0)])]),
                Add("Less", "dayHigh", [day, K(32)])]),
        ]);

        // days_from_civil, as DateParts.DaysFromCivil.
        string Days(string tag, string y0, string m, string d)
        {
            string A(string op, string output, params string[] inputs) => Add(op, tag + output, inputs);
            var early = Add("Cast", tag + "early", [A("Less", "earlyBool", m, K(3))], "", ("to", 7L));
            var y = A("Sub", "y", y0, early);
            var era = A("Div", "era", y, K(400));
            var yoe = A("Sub", "yoe", y, A("Mul", "eraYears", era, K(400)));
            var mp = A("Mod", "mp", A("Add", "m9", m, K(9)), K(12));
            var doy = A("Sub", "doy", A("Add", "doyDay", A("Div", "doyMonth", A("Add", "mp2", A("Mul", "mp153", mp, K(153)), K(2)), K(5)), d), K(1));
            var doe = A("Add", "doe", A("Sub", "doeCent", A("Add", "doeLeap", A("Mul", "yoe365", yoe, K(365)), A("Div", "yoe4", yoe, K(4))), A("Div", "yoe100", yoe, K(100))), doy);
            return A("Sub", "days", A("Add", "eraDays", A("Mul", "era146097", era, K(146097)), doe), K(719468));
        }

        var days = Days("date.", year, month, day);
        var dayOfWeek = Add("Mod", "dayOfWeekInt", [Add("Add", "days4", [days, K(4)]), K(7)]);
        var dayOfYear = Add("Add", "dayOfYearInt", [Add("Sub", "sinceJan1", [days, Days("jan1.", year, K(1), K(1))]), K(1)]);

        var nan = model.Constant(Name("nan"), float.NaN);
        var parts = new Dictionary<string, (string Value, string Valid)>
        {
            ["year"] = (year, valid),
            ["month"] = (month, valid),
            ["day"] = (day, valid),
            ["dayOfWeek"] = (dayOfWeek, valid),
            ["dayOfYear"] = (dayOfYear, valid),
        };
        if (column.HasTime)
        {
            var hour = Lookup(3, "hour", DateParts.SmallTable());
            parts["hour"] = (hour, Add("And", "validHour", [valid, Add("Greater", "hourKnown", [hour, K(-1)])]));
        }

        foreach (var part in DateParts.Names(column.HasTime))
        {
            var (value, ok) = parts[part];
            var asFloat = Add("Cast", part + "Float", [value], "", ("to", 1L));
            // The output keeps the converter's input name, so the rest of the graph reads it unchanged.
            var output = DateParts.ColumnName(c, part);
            nodes.Add(model.Node("Where", [ok, asFloat, nan], output));
        }

        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            model.Nodes.Insert(0, nodes[i]);
        }

        var partInputs = DateParts.Names(column.HasTime).Select(p => DateParts.ColumnName(c, p)).ToHashSet(StringComparer.Ordinal);
        var firstIndex = -1;
        for (var i = model.Inputs.Count - 1; i >= 0; i--)
        {
            if (partInputs.Contains(OnnxModelEditor.NameOf((IMessage)model.Inputs[i]!)))
            {
                model.Inputs.RemoveAt(i);
                firstIndex = i;
            }
        }

        model.Inputs.Insert(firstIndex < 0 ? model.Inputs.Count : firstIndex, model.Input(c, StringType));
        model.ImportOpset("com.microsoft", 1);
    }
}
