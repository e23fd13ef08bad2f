using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Mlops.Modeling.Bench.PredictorBenchmarks).Assembly).Run(args);
