// Micro-benchmarks: dotnet run -c Release --project bench/Satchel.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
