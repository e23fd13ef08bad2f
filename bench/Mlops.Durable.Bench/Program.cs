using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Mlops.Durable.Bench.ReplayBenchmarks).Assembly).Run(args);
