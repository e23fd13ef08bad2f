using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using Mlops.Core.Projects;

namespace Mlops.Data.Bench;

/// <summary>
/// Ingest + validate + profile (+ canonical CSV and SHA-256) of flights-200k as CSV, against a bare CsvHelper parse of
/// the same bytes that touches every field; and the same pass over flights-3m.parquet.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private byte[] _csv = [];
    private string _parquetPath = "";
    private readonly ProjectSpec _spec = new() { Target = "delay", Task = TaskKind.Regression };

    [GlobalSetup]
    public void Setup()
    {
        _csv = FlightsCsv.Build();
        _parquetPath = FlightsCsv.Data("flights-3m.parquet");
    }

    [Benchmark(Baseline = true, Description = "bare CsvHelper parse (flights-200k.csv)")]
    public long BareCsvHelper() => FlightsCsv.BareParse(_csv);

    [Benchmark(Description = "ingest+validate+profile (flights-200k.csv)")]
    public async Task<long> IngestCsv()
    {
        using var input = new MemoryStream(_csv, writable: false);
        var result = await new DatasetIngestor().IngestAsync(input, "flights.csv", _spec, null, Stream.Null);
        return result.RowCount;
    }

    [Benchmark(Description = "ingest+validate+profile (flights-3m.parquet)")]
    public async Task<long> IngestParquet()
    {
        await using var input = File.OpenRead(_parquetPath);
        var result = await new DatasetIngestor().IngestAsync(input, "flights-3m.parquet", _spec, null, Stream.Null);
        return result.RowCount;
    }
}

/// <summary>The bench setup: flights-200k.json converted to CSV, and a bare CsvHelper parse to compare with.</summary>
public static class FlightsCsv
{
    public static string Data(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Functions.sln not found"), "node_modules", "vega-datasets", "data", file);
    }

    public static byte[] Build()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Data("flights-200k.json")));
        var sb = new StringBuilder();
        var first = doc.RootElement[0];
        sb.Append(string.Join(",", first.EnumerateObject().Select(p => p.Name))).Append('\n');
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            sb.Append(string.Join(",", row.EnumerateObject().Select(p => p.Value.GetRawText()))).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static long BareParse(byte[] csv)
    {
        using var input = new MemoryStream(csv, writable: false);
        using var reader = CsvReader.Create(input, new CsvReaderOptions { HasHeader = true }, leaveOpen: true);
        long fields = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                fields += reader.GetString(i).Length;
            }
        }

        return fields;
    }
}

/// <summary>`dotnet run -c Release -- memory`: one ingestion of flights-3m.parquet in a fresh process, reporting peak working set.</summary>
public static class MemoryProbe
{
    public static async Task RunAsync()
    {
        var before = Process.GetCurrentProcess();
        before.Refresh();
        var start = before.PeakWorkingSet64;
        var sw = Stopwatch.StartNew();
        await using var input = File.OpenRead(FlightsCsv.Data("flights-3m.parquet"));
        var result = await new DatasetIngestor().IngestAsync(input, "flights-3m.parquet", new ProjectSpec { Target = "delay", Task = TaskKind.Regression }, null, Stream.Null);
        sw.Stop();
        var p = Process.GetCurrentProcess();
        p.Refresh();
        Console.WriteLine($"flights-3m.parquet: {result.RowCount:N0} rows, verdict {result.Verdict}, canonical {result.CanonicalBytes / 1e6:F1} MB, {sw.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"peak working set: {p.PeakWorkingSet64 / 1e6:F0} MB (at start {start / 1e6:F0} MB); GC total allocated {GC.GetTotalAllocatedBytes() / 1e6:F0} MB");
    }
}
