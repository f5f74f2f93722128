// Micro-benchmarks: dotnet run -c Release --project bench/Satchel.Benchmarks -- --filter '*'
// For a profiler: dotnet run -c Release --project bench/Satchel.Benchmarks -- --loop satchel-read 20
// runs that request in a loop for 20 s (see RequestBenchmarks for the names).
using BenchmarkDotNet.Running;
using Satchel.Benchmarks;

if (args is ["--loop", var name, var seconds])
{
    await RequestBenchmarks.LoopAsync(name, TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
