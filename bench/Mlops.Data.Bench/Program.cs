using BenchmarkDotNet.Running;
using Mlops.Data.Bench;

if (args.Length > 0 && args[0] == "memory")
{
    await MemoryProbe.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmarks).Assembly).Run(args);
