// Feature store benchmarks (bench/features/run.sh runs them in order, each as its own process):
//   ingest      CONN PROJECT FILE            store flights-3m as a project's dataset version (not measured)
//   materialize CONN PROJECT VIEW            declare the view, materialise it in this process: rows/s and peak memory
//   join        CONN VIEW WORK N             point-in-time join of N request rows, and the same data for pandas
//   compare     WORK                         our join's values against pandas merge_asof's
//   lookup      BASEURL CONN N               GET /api/features/{view}/{entity} through the host against a direct Table point read
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Mlops.Catalog;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Features;
using Mlops.Features.Computation;
using Mlops.Features.Join;
using Mlops.Features.Online;
using Mlops.Pipeline.Ingestion;

var command = args.Length > 0 ? args[0] : "";
switch (command)
{
    case "ingest":
        await IngestAsync(args[1], args[2], args[3]);
        break;
    case "materialize":
        await MaterializeAsync(args[1], args[2], args[3]);
        break;
    case "join":
        await JoinAsync(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
        break;
    case "compare":
        Compare(args[1]);
        break;
    case "lookup":
        await LookupAsync(new Uri(args[1]), args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine("usage: ingest|materialize|join|compare|lookup ... (see Program.cs)");
        return 2;
}

return 0;

static void Print(object result) => Console.WriteLine(JsonSerializer.Serialize(result));

static async Task IngestAsync(string connection, string project, string file)
{
    var catalog = CatalogServices.FromConnectionString(connection);
    await catalog.Projects.PutAsync(project, new ProjectSpec { Target = "delay", Task = TaskKind.Regression, Ignore = ["date"] });
    var intake = new DatasetIntake(catalog, new DatasetIngestor(), TimeProvider.System);
    var watch = Stopwatch.StartNew();
    await using var content = File.OpenRead(file);
    var result = await intake.IngestAsync(project, Path.GetFileName(file), "bench", content, CancellationToken.None);
    Print(new { result.Accepted, result.Dataset.RowCount, result.Dataset.Sha256, Schema = result.Dataset.Schema?.Columns.Select(c => $"{c.Name}:{c.Kind}"), IngestSeconds = watch.Elapsed.TotalSeconds });
}

static async Task MaterializeAsync(string connection, string project, string view)
{
    var store = new FeatureStore(CatalogServices.FromConnectionString(connection));
    await store.PutViewAsync(project, view, $$"""
        {"entities": ["origin"], "timestamp": "date", "source": {"project": "{{project}}"}, "ttl": "P30D",
         "features": [{"name": "delay_mean_7d", "column": "delay", "aggregate": "mean", "window": "P7D"},
                      {"name": "delay_max_20", "column": "delay", "aggregate": "max", "rows": 20},
                      {"name": "delay_prev", "column": "delay", "lag": 1}]}
        """);

    // Peak memory: the process's peak working set, and the managed heap sampled every 50 ms.
    long peakManaged = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
            await Task.Delay(50, CancellationToken.None);
        }
    });

    var watch = Stopwatch.StartNew();
    var plan = await store.Materializer.PlanAsync(view);
    var staged = await store.Materializer.StagePartitionAsync(plan, 0);
    var stageSeconds = watch.Elapsed.TotalSeconds;
    var buckets = new List<Mlops.Features.Materialization.BucketResult>();
    for (var b = 0; b < plan.Buckets; b++)
    {
        buckets.Add(await store.Materializer.ComputeBucketAsync(plan, b));
    }

    var computeSeconds = watch.Elapsed.TotalSeconds - stageSeconds;
    var manifest = await store.Materializer.CommitAsync(plan, [staged], buckets);
    var total = watch.Elapsed.TotalSeconds;
    await sampling.CancelAsync();
    await sampler;
    using var process = Process.GetCurrentProcess();
    Print(new
    {
        manifest.Rows,
        manifest.Entities,
        Files = manifest.Files.Count,
        plan.Buckets,
        StageSeconds = stageSeconds,
        ComputeAndWriteSeconds = computeSeconds,
        TotalSeconds = total,
        RowsPerSecond = manifest.Rows / total,
        PeakWorkingSetMB = process.PeakWorkingSet64 / 1048576.0,
        PeakManagedHeapMB = peakManaged / 1048576.0,
        OnlineWritten = buckets.Sum(b => b.OnlineWritten),
    });
}

static async Task JoinAsync(string connection, string view, string work, int count)
{
    var store = new FeatureStore(CatalogServices.FromConnectionString(connection));
    var definition = await store.Views.GetAsync(view);
    var manifest = await store.Offline.ReadManifestAsync((await store.Views.FindLatestManifestPathAsync(view, definition.Version))!.Replace("features/", "", StringComparison.Ordinal), CancellationToken.None);
    Directory.CreateDirectory(work);

    // The offline rows as pandas will see them (file order = event time then source order per entity), and N request
    // rows: real flights' airports at their time plus a random offset of up to two days (seeded).
    var entities = new List<string>();
    var times = new List<long>();
    await using (var features = new StreamWriter(Path.Combine(work, "features.csv")))
    {
        await features.WriteLineAsync("origin,t,delay_mean_7d");
        foreach (var file in manifest.Files)
        {
            var part = await store.Offline.ReadPartAsync(file.Path, manifest, CancellationToken.None);
            var numbers = part.Numbers[0]!;
            for (var r = 0; r < part.Count; r++)
            {
                await features.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{part.Keys[r]},{UnixNanos(part.Ticks[r])},{(double.IsNaN(numbers[r]) ? "" : numbers[r].ToString("R", CultureInfo.InvariantCulture))}"));
                entities.Add(part.Keys[r]);
                times.Add(part.Ticks[r]);
            }
        }
    }

    var random = new Random(42);
    var requests = new List<JoinRow>(count);
    for (var i = 0; i < count; i++)
    {
        var pick = random.Next(entities.Count);
        requests.Add(new JoinRow(entities[pick], (times[pick] + random.NextInt64(TimeSpan.FromDays(2).Ticks)) / 10 * 10));
    }

    await using (var writer = new StreamWriter(Path.Combine(work, "requests.csv")))
    {
        await writer.WriteLineAsync("origin,t");
        foreach (var r in requests)
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{r.Entity},{UnixNanos(r.Ticks)}"));
        }
    }

    JoinResult? result = null;
    var seconds = new List<double>();
    for (var run = 0; run < 3; run++)
    {
        var watch = Stopwatch.StartNew();
        result = await store.Joiner.JoinAsync(view, requests);
        seconds.Add(watch.Elapsed.TotalSeconds);
    }

    await using (var ours = new StreamWriter(Path.Combine(work, "ours.csv")))
    {
        await ours.WriteLineAsync("i,delay_mean_7d");
        for (var i = 0; i < requests.Count; i++)
        {
            await ours.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i},{(result!.Values[i][0] is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "")}"));
        }
    }

    var best = seconds.Min();
    Print(new
    {
        Requests = count,
        OfflineRows = entities.Count,
        Files = manifest.Files.Count,
        JoinSeconds = seconds,
        BestSeconds = best,
        RowsPerSecond = count / best,
        Matched = result!.EventTicks.Count(t => t is not null)
    });
}

static long UnixNanos(long ticks) => (ticks - DateTime.UnixEpoch.Ticks) * 100;

static void Compare(string work)
{
    static Dictionary<int, double?> Read(string path) => File.ReadLines(path).Skip(1).Select(l => l.Split(',')).ToDictionary(
        f => int.Parse(f[0], CultureInfo.InvariantCulture),
        f => f[1].Length == 0 ? (double?)null : double.Parse(f[1], CultureInfo.InvariantCulture));
    var ours = Read(Path.Combine(work, "ours.csv"));
    var pandas = Read(Path.Combine(work, "pandas.csv"));
    var differ = ours.Count(kv => !pandas.TryGetValue(kv.Key, out var p) || p != kv.Value);
    Print(new { Rows = ours.Count, PandasRows = pandas.Count, Different = differ, BothMissing = ours.Count(kv => kv.Value is null && pandas[kv.Key] is null) });
}

static async Task LookupAsync(Uri baseUri, string connection, int count)
{
    using var http = new HttpClient { BaseAddress = baseUri };
    async Task Ok(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // 300 airports with an hour of readings each, through the public API: a stream source, a view, one materialisation.
    await Ok(await http.PutAsync("api/projects/benchlookup", new StringContent("""{"target": "y", "task": "regression"}""", Encoding.UTF8, "application/json")));
    var airports = Enumerable.Range(0, 300).Select(i => $"A{i:D3}").ToList();
    var rows = airports.SelectMany(a => Enumerable.Range(0, 6).Select(m => new { airport = a, at = new DateTime(2026, 1, 1, 0, m * 10, 0, DateTimeKind.Utc), temp = m * 1.5 })).ToList();
    await Ok(await http.PostAsync("api/feature-sources/bench-temps/data", JsonContent.Create(rows)));
    await Ok(await http.PutAsync("api/projects/benchlookup/features/bench-temp", new StringContent("""
        {"entities": ["airport"], "timestamp": "at", "source": {"stream": "bench-temps"},
         "features": [{"name": "temp", "column": "temp"}, {"name": "temp_mean", "column": "temp", "aggregate": "mean", "rows": 3}]}
        """, Encoding.UTF8, "application/json")));
    using (var materialize = await http.PostAsync("api/projects/benchlookup/features/bench-temp/materialize", null))
    {
        await Ok(materialize);
        var status = (await materialize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("statusQueryGetUri").GetString()!;
        while ((await http.GetFromJsonAsync<JsonElement>(status)).GetProperty("runtimeStatus").GetString() is not ("Completed" or "Failed"))
        {
            await Task.Delay(200);
        }
    }

    var table = new TableClient(connection, OnlineStore.Table);
    var random = new Random(7);
    var viaHost = new List<double>(count);
    var direct = new List<double>(count);
    for (var warm = 0; warm < 50; warm++)
    {
        (await http.GetAsync($"api/features/bench-temp/{airports[warm % airports.Count]}")).Dispose();
        await table.GetEntityAsync<TableEntity>("bench-temp", airports[warm % airports.Count]);
    }

    // Interleaved so both see the same machine load.
    for (var i = 0; i < count; i++)
    {
        var airport = airports[random.Next(airports.Count)];
        var watch = Stopwatch.StartNew();
        using (var response = await http.GetAsync($"api/features/bench-temp/{airport}"))
        {
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"lookup {airport}: {(int)response.StatusCode}");
            }
        }

        viaHost.Add(watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        await table.GetEntityAsync<TableEntity>("bench-temp", airport);
        direct.Add(watch.Elapsed.TotalMilliseconds);
    }

    static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    Print(new
    {
        Lookups = count,
        HostP50Ms = P(viaHost, 0.5),
        HostP99Ms = P(viaHost, 0.99),
        DirectTableP50Ms = P(direct, 0.5),
        DirectTableP99Ms = P(direct, 0.99),
    });
}
