using BenchmarkDotNet.Running;
using FuncExec.Bench.Micro;

// Micro-benchmarks of FuncExec's hot paths, each beside a baseline in its own class so the
// results read as ratios; see README.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
