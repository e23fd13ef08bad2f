using System.Globalization;
using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Testing;

namespace Mlops.Modeling.Tests;

/// <summary>
/// A small test-only loader for the vega-datasets files (the real readers live in Mlops.Data): JSON arrays of objects
/// and simple comma-separated files without quoting. Columns whose present values are all numbers are numeric.
/// </summary>
internal static class TestData
{
    private static readonly Dictionary<string, DataTable> Cache = new(StringComparer.Ordinal);

    public static DataTable Load(string fileName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fileName, out var table))
            {
                var path = RepoPaths.Dataset(fileName);
                table = fileName.EndsWith(".json", StringComparison.Ordinal) ? FromJson(path) : FromCsv(path);
                Cache[fileName] = table;
            }

            return table;
        }
    }

    public static DataTable Weather => Load("seattle-weather.csv");

    public static DataTable Penguins => Load("penguins.json");

    public static DataTable Cars => Load("cars.json");

    /// <summary>Penguins with the one row whose sex is recorded as "." made missing (it is neither class).</summary>
    public static DataTable PenguinsBySex
    {
        get
        {
            var table = Penguins;
            var columns = table.Columns.Select(c => c is StringColumn { Name: "Sex" } s
                ? new StringColumn("Sex", s.Values.Select(v => v is "MALE" or "FEMALE" ? v : null).ToArray())
                : c).ToList();
            return new DataTable(columns, table.RowCount);
        }
    }

    public static ProjectSpec WeatherSpec(params string[] trainers) => new()
    {
        Target = "weather",
        Task = TaskKind.Multiclass,
        Ignore = ["date"],
        Metric = "macroF1",
        Trainers = trainers,
    };

    public static ProjectSpec PenguinsSpec(params string[] trainers) => new()
    {
        Target = "Species",
        Task = TaskKind.Multiclass,
        Metric = "macroF1",
        Trainers = trainers,
    };

    /// <summary>Binary: the penguin's sex from its measurements (rows without a recorded sex have no target).</summary>
    public static ProjectSpec PenguinSexSpec(params string[] trainers) => new()
    {
        Target = "Sex",
        Task = TaskKind.Binary,
        Metric = "auc",
        Trainers = trainers,
    };

    public static ProjectSpec CarsSpec(params string[] trainers) => new()
    {
        Target = "Miles_per_Gallon",
        Task = TaskKind.Regression,
        Ignore = ["Name", "Year"],
        Metric = "rmse",
        Trainers = trainers,
    };

    private static DataTable FromJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var rows = doc.RootElement.EnumerateArray().ToList();
        var names = rows.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        var columns = new List<DataColumn>();
        foreach (var name in names)
        {
            var values = rows.Select(r => r.TryGetProperty(name, out var v) ? v : default).ToList();
            var present = values.Where(v => v.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null)).ToList();
            if (present.All(v => v.ValueKind == JsonValueKind.Number))
            {
                columns.Add(new NumericColumn(name, values.Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToArray()));
            }
            else if (present.All(v => v.ValueKind is JsonValueKind.True or JsonValueKind.False))
            {
                columns.Add(new BooleanColumn(name, values.Select(v => v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => (bool?)false, _ => null }).ToArray()));
            }
            else
            {
                columns.Add(new StringColumn(name, values.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : null).ToArray()));
            }
        }

        return new DataTable(columns, rows.Count);
    }

    private static DataTable FromCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var columns = new List<DataColumn>();
        for (var c = 0; c < header.Length; c++)
        {
            var raw = cells.Select(r => r[c]).ToList();
            var numeric = raw.All(v => v.Length == 0 || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            columns.Add(numeric
                ? new NumericColumn(header[c], raw.Select(v => v.Length == 0 ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                : new StringColumn(header[c], raw.Select(v => v.Length == 0 ? null : v).ToArray(), header[c] == "date" ? ColumnKind.Date : ColumnKind.Categorical));
        }

        return new DataTable(columns, cells.Count);
    }
}
