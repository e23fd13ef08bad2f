using System.Globalization;
using System.Text;
using CsvHelper;
using Mlops.Core.Errors;
using Mlops.Features.Computation;
using Mlops.Features.Materialization;
using Mlops.Features.Offline;

namespace Mlops.Features.Join;

/// <summary>The lineage of one view joined into a training set.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">Its version.</param>
/// <param name="MaterializationId">The materialisation read.</param>
/// <param name="Manifest">Its manifest path.</param>
/// <param name="Columns">Feature columns added to the training set.</param>
/// <param name="KeptFromData">Features the training set already had as columns: the data's own values were kept.</param>
/// <param name="Matched">Rows that found a value as of their time.</param>
public sealed record JoinedView(string View, int Version, string MaterializationId, string Manifest, IReadOnlyList<string> Columns, IReadOnlyList<string> KeptFromData,
    long Matched);

/// <summary>
/// Joins feature views into a training set before it reaches the modeling code: each row (entity key + its own
/// timestamp + label) gets each view's values as of that timestamp (<see cref="PointInTimeJoiner"/>), appended as
/// columns of the CSV, so training sees just more columns. A column the data already has keeps the data's value, as a
/// feature sent with a predict request wins over the store's.
/// </summary>
public sealed class TrainingSetJoiner(FeatureViewCatalog views, PointInTimeJoiner joiner, Materializer materializer)
{
    /// <summary>Reads the CSV <paramref name="input"/> (seekable; read twice), writes it with the views' columns to <paramref name="output"/>.</summary>
    public async Task<IReadOnlyList<JoinedView>> JoinCsvAsync(Stream input, Stream output, IReadOnlyList<string> viewNames, CancellationToken cancellationToken = default)
    {
        var start = input.Position;
        var header = await ReadHeaderAsync(input, cancellationToken).ConfigureAwait(false);
        input.Position = start;
        var joined = new List<(JoinResult Result, int[] Columns, JoinedView Lineage)>();
        foreach (var name in viewNames)
        {
            var definition = await views.GetAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            var spec = definition.Spec;
            int At(string column, string what) => header.IndexOf(column) is var i and >= 0 ? i
                : throw new MlopsException(ErrorCode.Rejected, $"The training set has no column '{column}', the {what} of feature view '{name}': it cannot be joined.",
                    [new RuleViolation(column, "missing-column", $"Feature view '{name}' joins on '{column}'.")]);
            var entityAt = spec.Entities.Select(e => At(e, "entity key")).ToArray();
            var timeAt = At(spec.Timestamp, "timestamp");

            var rows = new List<JoinRow>();
            var parts = new string?[entityAt.Length];
            await foreach (var fields in ReadRowsAsync(input, cancellationToken).ConfigureAwait(false))
            {
                for (var e = 0; e < entityAt.Length; e++)
                {
                    parts[e] = fields[entityAt[e]];
                }

                // A row without a valid time gets no features (missing), rather than a guess.
                rows.Add(EventTime.TryParse(fields[timeAt], out var ticks) ? new JoinRow(EntityKey.Join(parts), ticks) : new JoinRow(null, 0));
            }

            input.Position = start;
            // Training joins a materialisation of all the source's current data (the run's own dataset included): if the
            // latest one is older, it is computed here, in this process (deterministic, so it is the same one an upload's
            // materialisation writes).
            var plan = await materializer.PlanAsync(name, cancellationToken).ConfigureAwait(false);
            var latest = await views.FindLatestManifestPathAsync(name, plan.ViewVersion, cancellationToken).ConfigureAwait(false);
            if (latest is null || !latest.EndsWith(plan.MaterializationId + ".json", StringComparison.Ordinal))
            {
                await materializer.MaterializeAsync(name, cancellationToken).ConfigureAwait(false);
            }

            var result = await joiner.JoinAsync(name, rows, cancellationToken).ConfigureAwait(false);
            var add = result.Features.Select((f, i) => (f, i)).Where(x => !header.Contains(x.f.Name)).ToList();
            var kept = result.Features.Where(f => header.Contains(f.Name)).Select(f => f.Name).ToList();
            header.AddRange(add.Select(x => x.f.Name));
            joined.Add((result, add.Select(x => x.i).ToArray(),
                new JoinedView(name, result.ViewVersion, result.MaterializationId, result.Manifest, add.Select(x => x.f.Name).ToList(), kept,
                    result.EventTicks.LongCount(t => t is not null))));
        }

        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 81920, leaveOpen: true) { NewLine = "\n" };
        await writer.WriteLineAsync(string.Join(',', header.Select(Quote))).ConfigureAwait(false);
        var row = 0;
        var line = new StringBuilder();
        await foreach (var fields in ReadRowsAsync(input, cancellationToken).ConfigureAwait(false))
        {
            line.Clear();
            line.AppendJoin(',', fields.Select(f => Quote(f ?? "")));
            foreach (var (result, columns, _) in joined)
            {
                foreach (var c in columns)
                {
                    line.Append(',').Append(Format(result.Values[row][c]));
                }
            }

            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            row++;
        }

        return joined.Select(j => j.Lineage).ToList();
    }

    private static async Task<List<string>> ReadHeaderAsync(Stream input, CancellationToken ct)
    {
        await using var reader = CsvReader.Create(input, Options(), leaveOpen: true);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList()
            : throw new MlopsException(ErrorCode.Rejected, "The training set is empty.");
    }

    private static async IAsyncEnumerable<string?[]> ReadRowsAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = CsvReader.Create(input, Options(), leaveOpen: true);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            yield break;
        }

        var width = reader.FieldCount;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var fields = new string?[width];
            for (var i = 0; i < width && i < reader.FieldCount; i++)
            {
                fields[i] = reader.GetString(i);
            }

            yield return fields;
        }
    }

    private static CsvReaderOptions Options() => new() { Separator = ',', HasHeader = false, SkipEmptyLines = true, IncludeValuesInExceptions = false };

    private static string Format(object? value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => Quote(s),
        _ => "",
    };

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
