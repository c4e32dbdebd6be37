using System.Reflection;
using BenchmarkDotNet.Running;

// Micro-benchmarks of FuncExec's hot paths, each beside a baseline in its own class so the
// results read as ratios; see README.md. The assembly is named rather than typeof(Program):
// the worker program, which the compiler benchmarks bring along through the client, has a Program too.
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
