using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Monitoring;

// Drift over N logged values of one numeric feature, against a 1M-row training profile, next to scipy on the same
// files in the same run. Each measurement runs in a fresh child process so its peak RSS belongs to that size alone.
//   dotnet run -c Release --project bench/Mlops.Monitoring.Bench [-- 1000000 10000000]
// Child mode: measure REFERENCE_DIR CURRENT_FILE.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "measure")
{
    Console.WriteLine(JsonSerializer.Serialize(Bench.Measure(args[1], args[2])));
    return;
}

var sizes = args.Length > 0 ? args.Select(long.Parse).ToArray() : [1_000_000L, 10_000_000L];
var dir = Path.Combine(Path.GetTempPath(), "mlops-monitoring-bench");
Directory.CreateDirectory(dir);
Bench.WriteReference(dir);
foreach (var n in sizes)
{
    var file = Path.Combine(dir, $"current-{n}.f64");
    Bench.WriteCurrent(file, n);
    var dotnet = JsonDocument.Parse(Bench.RunChild(Environment.ProcessPath!, [typeof(Bench).Assembly.Location, "measure", dir, file])).RootElement;
    var scipy = JsonDocument.Parse(Bench.RunChild("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "scipy_drift.py"),
        Path.Combine(dir, "sample.f64"), Path.Combine(dir, "edges.f64"), Path.Combine(dir, "fractions.f64"), file])).RootElement;
    Console.WriteLine($"n={n:N0}");
    Console.WriteLine($"  .NET : {dotnet.GetProperty("seconds").GetDouble():F3} s incl. streaming the file ({n / dotnet.GetProperty("seconds").GetDouble() / 1e6:F1} M values/s), peak RSS {dotnet.GetProperty("peakRssBytes").GetInt64() / 1048576.0:F1} MiB, managed allocated {dotnet.GetProperty("allocatedBytes").GetInt64() / 1048576.0:F2} MiB, GC heap after {dotnet.GetProperty("heapBytes").GetInt64() / 1048576.0:F2} MiB");
    Console.WriteLine($"  scipy: {scipy.GetProperty("computeSeconds").GetDouble():F3} s compute + {scipy.GetProperty("load").GetDouble():F3} s np.fromfile ({n / scipy.GetProperty("computeSeconds").GetDouble() / 1e6:F1} M values/s compute only), peak RSS {scipy.GetProperty("maxRssBytes").GetInt64() / 1048576.0:F1} MiB  [psi {scipy.GetProperty("psiSeconds").GetDouble():F3} s, ks {scipy.GetProperty("ksSeconds").GetDouble():F3} s, w1 {scipy.GetProperty("w1Seconds").GetDouble():F3} s]");
    Console.WriteLine($"  PSI  : .NET {dotnet.GetProperty("psi").GetDouble():R}  scipy {scipy.GetProperty("psi").GetDouble():R}");
    Console.WriteLine($"  KS D : .NET {dotnet.GetProperty("d").GetDouble():R}  scipy {scipy.GetProperty("d").GetDouble():R}");
    Console.WriteLine($"  KS p : .NET {dotnet.GetProperty("p").GetDouble():R} ({dotnet.GetProperty("method").GetString()})  scipy {scipy.GetProperty("p").GetDouble():R} (asymp = kstwo.sf(D, round(en)))");
    Console.WriteLine($"  W1   : .NET {dotnet.GetProperty("w1").GetDouble():R} (error bound {dotnet.GetProperty("w1Bound").GetDouble():G3})  scipy {scipy.GetProperty("w1").GetDouble():R}  relative diff {Math.Abs(dotnet.GetProperty("w1").GetDouble() / scipy.GetProperty("w1").GetDouble() - 1):E2}");
    File.Delete(file);
}

internal static class Bench
{
    private const int ReferenceRows = 1_000_000;

    public static void WriteReference(string dir)
    {
        var values = Normal(ReferenceRows, 0, 1, seed: 1);
        var profile = ProfileOf(values);
        File.WriteAllText(Path.Combine(dir, "profile.json"), JsonSerializer.Serialize(profile, SpecJson.Options));
        WriteDoubles(Path.Combine(dir, "sample.f64"), profile.Columns[0].Numeric!.Sample.ToArray());
        WriteDoubles(Path.Combine(dir, "edges.f64"), profile.Columns[0].Numeric!.BinEdges.ToArray());
        WriteDoubles(Path.Combine(dir, "fractions.f64"), profile.Columns[0].Numeric!.BinFractions.ToArray());
    }

    /// <summary>The logged values: a mildly drifted normal, N(0.1, 1.05²), written in chunks.</summary>
    public static void WriteCurrent(string file, long n)
    {
        using var stream = File.Create(file);
        var random = new Random(2);
        var chunk = new double[1 << 16];
        for (long written = 0; written < n; written += chunk.Length)
        {
            var count = (int)Math.Min(chunk.Length, n - written);
            for (var i = 0; i < count; i++)
            {
                chunk[i] = 0.1 + 1.05 * Gaussian(random);
            }

            stream.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, count)));
        }
    }

    public static Dictionary<string, object> Measure(string dir, string file)
    {
        var profile = JsonSerializer.Deserialize<DatasetProfile>(File.ReadAllText(Path.Combine(dir, "profile.json")), SpecJson.Options)!;
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        var buffer = new double[1 << 16];
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            int read;
            while ((read = stream.ReadAtLeast(MemoryMarshal.AsBytes(buffer.AsSpan()), buffer.Length * 8, throwOnEndOfStream: false)) > 0)
            {
                window.AddNumeric("x", buffer.AsSpan(0, read / 8));
            }
        }

        var report = window.Evaluate("bench", 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var seconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var feature = report.Features[0];
        return new Dictionary<string, object>
        {
            ["n"] = feature.CurrentN,
            ["seconds"] = seconds,
            ["psi"] = feature.Psi!.Value,
            ["d"] = feature.KsStatistic!.Value,
            ["p"] = feature.KsPValue!.Value,
            ["method"] = feature.KsMethod!,
            ["w1"] = feature.Wasserstein!.Value,
            ["w1Bound"] = feature.WassersteinErrorBound!.Value,
            ["allocatedBytes"] = allocated,
            ["heapBytes"] = GC.GetTotalMemory(forceFullCollection: true),
            ["peakRssBytes"] = PeakRss(),
        };
    }

    public static string RunChild(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {stderr.Result}");
        }

        return output.Trim().Split('\n')[^1];
    }

    private static long PeakRss()
    {
        // VmHWM: the resident-set high-water mark of this process.
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static DatasetProfile ProfileOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        var edges = Enumerable.Range(1, 9).Select(i => sorted[(int)Math.Ceiling(i / 10.0 * sorted.Length) - 1]).ToArray();
        var fractions = new double[edges.Length + 1];
        foreach (var v in values)
        {
            var bin = Array.BinarySearch(edges, v);
            fractions[bin >= 0 ? bin : ~bin] += 1.0 / values.Length;
        }

        var random = new Random(3);
        var sample = values.Take(2000).ToArray();
        for (var i = 2000; i < values.Length; i++)
        {
            var j = random.NextInt64(i + 1);
            if (j < 2000)
            {
                sample[j] = values[i];
            }
        }

        Array.Sort(sample);
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return new DatasetProfile
        {
            RowCount = values.Length,
            Columns =
            [
                new ColumnProfile
                {
                    Name = "x", Kind = ColumnKind.Numeric, Count = values.Length, Nulls = 0,
                    Numeric = new NumericProfile { Min = sorted[0], Max = sorted[^1], Mean = mean, Std = std, BinEdges = edges, BinFractions = fractions, Sample = sample },
                },
            ],
        };
    }

    private static double[] Normal(int n, double mean, double std, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => mean + std * Gaussian(random)).ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void WriteDoubles(string file, double[] values) => File.WriteAllBytes(file, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
