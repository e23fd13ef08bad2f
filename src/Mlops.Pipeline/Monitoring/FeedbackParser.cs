using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Core.Errors;

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// Reads a feedback body, <c>[{"predictionId": "...", "actual": ...}]</c>, checking every item before anything is
/// stored: one 400 lists each broken rule by <c>[i].field</c> (never echoing the values).
/// </summary>
public static partial class FeedbackParser
{
    /// <summary>At most this many violations are listed; the rest are counted in the message.</summary>
    public const int MaxViolations = 50;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex PredictionIdRegex();

    /// <summary>Parses and validates; throws <see cref="MlopsException"/> (InvalidInput or TooLarge) naming each bad field.</summary>
    public static IReadOnlyList<FeedbackItem> Parse(byte[] body, int maxItems)
    {
        if (body.Length == 0)
        {
            throw MlopsException.Invalid("$", "required", "The request needs a JSON array of {\"predictionId\", \"actual\"} items.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw MlopsException.Invalid("$", "json", "The body is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw MlopsException.Invalid("$", "type", "The body must be a JSON array of {\"predictionId\", \"actual\"} items.");
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                throw MlopsException.Invalid("$", "min-items", "The array needs at least one item.");
            }

            if (count > maxItems)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"At most {maxItems} feedback items per request; this one has {count}. Split it.");
                throw new MlopsException(ErrorCode.TooLarge, message, [new RuleViolation("$", "max-items", message)]);
            }

            var items = new List<FeedbackItem>(count);
            var violations = new List<RuleViolation>();
            var total = 0;
            void Fail(string field, string rule, string message)
            {
                if (total++ < MaxViolations)
                {
                    violations.Add(new RuleViolation(field, rule, message));
                }
            }

            var i = 0;
            foreach (var item in root.EnumerateArray())
            {
                var at = string.Create(CultureInfo.InvariantCulture, $"[{i++}]");
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Fail(at, "type", $"'{at}' must be an object with 'predictionId' and 'actual'.");
                    continue;
                }

                JsonElement? idValue = null;
                JsonElement? actual = null;
                foreach (var property in item.EnumerateObject())
                {
                    if (property.NameEquals("predictionId"))
                    {
                        idValue = property.Value;
                    }
                    else if (property.NameEquals("actual"))
                    {
                        actual = property.Value;
                    }
                }

                string? id = null;
                if (idValue is not { } idElement || idElement.ValueKind == JsonValueKind.Null || (idElement.ValueKind == JsonValueKind.String && idElement.GetString()!.Length == 0))
                {
                    Fail($"{at}.predictionId", "required", $"'{at}.predictionId' is required: the id the predict route returned.");
                }
                else if (idElement.ValueKind != JsonValueKind.String)
                {
                    Fail($"{at}.predictionId", "type", $"'{at}.predictionId' must be a string.");
                }
                else if (!PredictionIdRegex().IsMatch(idElement.GetString()!))
                {
                    Fail($"{at}.predictionId", "pattern", $"'{at}.predictionId' must be 1-128 letters, digits, '.', '_', ':' or '-'.");
                }
                else
                {
                    id = idElement.GetString();
                }

                if (actual is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    Fail($"{at}.actual", "required", $"'{at}.actual' is required: the true label (string) or value (number).");
                }
                else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    Fail($"{at}.actual", "type", $"'{at}.actual' must be a string, number or boolean.");
                }
                else if (id is not null)
                {
                    items.Add(new FeedbackItem(id, value.Clone()));
                }
            }

            if (total > 0)
            {
                var message = total > MaxViolations
                    ? string.Create(CultureInfo.InvariantCulture, $"{total} rule violations in the feedback items; the first {MaxViolations} are listed.")
                    : string.Create(CultureInfo.InvariantCulture, $"{total} rule violation(s) in the feedback items.");
                throw new MlopsException(ErrorCode.InvalidInput, message, violations);
            }

            return items;
        }
    }
}
