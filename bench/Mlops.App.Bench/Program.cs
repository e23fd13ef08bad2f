using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Mlops.Catalog;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Modeling.Serving;
using Mlops.Serving;

// The baselines bench/app/run-all.sh compares the app with, and the tools of bench/app/ingest-memory.sh. serve and inproc
// load the production version of a model the app trained, from the same storage, through the app's own ModelCache, so
// the ONNX Runtime session is set up exactly as the app's is:
//   serve  --connection CS --model NAME --port P        a bare Kestrel endpoint: POST /predict, dataframe_records in, predictions out
//   inproc --connection CS --model NAME --body FILE [--seconds S]   OnnxPredictor.Predict in a loop on the body's rows
//   to-csv --input FILE --target COL --output FILE      any file the app ingests (Parquet, JSON, CSV) as its canonical CSV
//   upload --connection CS --container C --name BLOB --file FILE   a blob upload as a user's SDK makes it (staged blocks)
var command = args.Length > 0 ? args[0] : "";
var options = Options.Parse(args.Skip(1).ToArray());

switch (command)
{
    case "serve":
        await BareEndpoint.RunAsync(await ProductionModelAsync(options), int.Parse(options.Require("port"), CultureInfo.InvariantCulture));
        return 0;
    case "inproc":
        InProcessLoop.Run(await ProductionModelAsync(options), options.Require("body"), double.Parse(options.Get("seconds") ?? "10", CultureInfo.InvariantCulture));
        return 0;
    case "to-csv":
    {
        var input = options.Require("input");
        await using var source = File.OpenRead(input);
        await using var output = File.Create(options.Require("output"));
        var spec = new ProjectSpec { Target = options.Require("target"), Task = TaskKind.Regression };
        var result = await new DatasetIngestor().IngestAsync(source, Path.GetFileName(input), spec, null, output);
        Console.WriteLine($"{result.RowCount:N0} rows, {result.CanonicalBytes / 1e6:F1} MB canonical CSV, verdict {result.Verdict}");
        return result.IsAccepted ? 0 : 1;
    }
    case "upload":
    {
        var blob = new BlobServiceClient(options.Require("connection")).GetBlobContainerClient(options.Require("container"));
        await blob.CreateIfNotExistsAsync();
        var watch = Stopwatch.StartNew();
        await blob.GetBlobClient(options.Require("name")).UploadAsync(options.Require("file"), overwrite: true);
        Console.WriteLine($"uploaded in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: Mlops.App.Bench serve|inproc|to-csv|upload (see the head of Program.cs)");
        return 2;
}

static async Task<LoadedModel> ProductionModelAsync(Options options)
{
    var catalog = CatalogServices.FromConnectionString(options.Require("connection"));
    return await new ModelCache(catalog.Models).GetAsync(options.Require("model"), ModelSelector.Production);
}

/// <summary>Reads <c>--name value</c> pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options._values[args[i].TrimStart('-')] = args[i + 1];
        }

        return options;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required.");
}

/// <summary>The rows of a <c>dataframe_records</c> body, as the predictor takes them.</summary>
internal static class Rows
{
    public static List<IReadOnlyDictionary<string, JsonElement>> FromRecords(JsonElement body)
    {
        var records = body.GetProperty("dataframe_records");
        var rows = new List<IReadOnlyDictionary<string, JsonElement>>(records.GetArrayLength());
        foreach (var record in records.EnumerateArray())
        {
            var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var column in record.EnumerateObject())
            {
                row[column.Name] = column.Value;
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The predictions as the app writes them (label + probabilities, or a value), without ids or logging.</summary>
    public static byte[] ToJson(PredictionBatch batch)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("predictions");
            foreach (var p in batch.Predictions)
            {
                if (p.Value is { } value)
                {
                    json.WriteNumberValue(value);
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("label", p.Label);
                json.WriteStartObject("probabilities");
                foreach (var (label, probability) in p.Probabilities ?? new Dictionary<string, float>())
                {
                    json.WriteNumber(label, probability);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>The least an HTTP endpoint can do around the session: parse, predict, write. No host hop, no ids, no log.</summary>
internal static class BareEndpoint
{
    public static async Task RunAsync(LoadedModel loaded, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/predict", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var batch = loaded.Predictor.Predict(Rows.FromRecords(body.RootElement));
            var bytes = Rows.ToJson(batch);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        });
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        Console.WriteLine($"bare endpoint listening on http://127.0.0.1:{port}/predict (model {loaded.Name} v{loaded.Number})");
        var stop = new TaskCompletionSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task;
        await app.StopAsync();
    }
}

/// <summary><c>OnnxPredictor.Predict</c> on pre-parsed rows in a loop: the floor under both HTTP figures.</summary>
internal static class InProcessLoop
{
    public static void Run(LoadedModel loaded, string bodyFile, double seconds)
    {
        using var body = JsonDocument.Parse(File.ReadAllBytes(bodyFile));
        var rows = Rows.FromRecords(body.RootElement);
        var predictor = loaded.Predictor;

        // Warm up (JIT, ORT's first runs) for a tenth of the time, at least 1 s.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Math.Max(1, seconds / 10))
        {
            predictor.Predict(rows);
        }

        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        var one = new Stopwatch();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            one.Restart();
            predictor.Predict(rows);
            samples.Add(one.Elapsed.TotalMicroseconds);
        }

        total.Stop();
        samples.Sort();
        var ops = samples.Count;
        var usPerOp = total.Elapsed.TotalMicroseconds / ops;
        double Percentile(double p) => samples[Math.Min(ops - 1, (int)Math.Ceiling(p * ops) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inproc rows={rows.Count} ops={ops} us_per_op={usPerOp:F1} ops_per_s={ops / total.Elapsed.TotalSeconds:F0} rows_per_s={ops * rows.Count / total.Elapsed.TotalSeconds:F0} p50_us={Percentile(0.50):F1} p99_us={Percentile(0.99):F1}"));
    }
}
