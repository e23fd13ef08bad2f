using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Testing;

namespace Mlops.Features.Tests;

/// <summary>flights-20k.json from vega-datasets (date, delay, distance, origin, destination) and ways to store it as a project's dataset.</summary>
public static class FlightsData
{
    public sealed record Flight(string Date, double Delay, double Distance, string Origin, string Destination);

    private static readonly Lazy<IReadOnlyList<Flight>> All20k = new(() => Load("flights-20k.json"));

    public static IReadOnlyList<Flight> Flights20k => All20k.Value;

    public static IReadOnlyList<Flight> Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Dataset(file)));
        return doc.RootElement.EnumerateArray().Select(e => new Flight(e.GetProperty("date").GetString()!, e.GetProperty("delay").GetDouble(),
            e.GetProperty("distance").GetDouble(), e.GetProperty("origin").GetString()!, e.GetProperty("destination").GetString()!)).ToList();
    }

    public static string Csv(IEnumerable<Flight> flights)
    {
        var sb = new StringBuilder("date,delay,distance,origin,destination\n");
        foreach (var f in flights)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{f.Date},{f.Delay},{f.Distance},{f.Origin},{f.Destination}\n");
        }

        return sb.ToString();
    }

    public static readonly ProjectSpec Spec = new() { Target = "delay", Task = TaskKind.Regression, Ignore = ["date"] };

    /// <summary>Validates and stores <paramref name="csv"/> as an accepted dataset version of <paramref name="project"/>, as ingestion does.</summary>
    public static async Task<DatasetVersion> StoreAsync(CatalogServices catalog, string project, string csv)
    {
        await catalog.Projects.PutAsync(project, Spec);
        using var canonical = new MemoryStream();
        var result = await new DatasetIngestor().IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "flights.csv", Spec, null, canonical);
        Assert.True(result.IsAccepted, string.Join("; ", result.Report.Failures.Select(f => f.Message)));
        canonical.Position = 0;
        return await catalog.Datasets.StoreAcceptedAsync(new AcceptedDataset
        {
            Project = project,
            Sha256 = result.Sha256!,
            RowCount = result.RowCount,
            Schema = result.Schema!,
            Profile = result.Profile!,
            Source = new DatasetSource("flights.csv", DateTimeOffset.UtcNow, "test"),
        }, canonical);
    }
}
