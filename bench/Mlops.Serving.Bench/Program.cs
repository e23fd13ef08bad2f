using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Mlops.Serving.Bench.ServingBenchmarks).Assembly).Run(args);
