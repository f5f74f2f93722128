using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Satchel.AspNetCore.Tests.Support;

/// <summary>The demo site as its own process on a free loopback port, as `dotnet run --project samples/Satchel.Demo` starts it.</summary>
public sealed class DemoProcess : IDisposable
{
    private readonly Process _process;

    private DemoProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DemoProcess> StartAsync()
    {
        // The test's own output folder is tests/<project>/bin/<Configuration>/<tfm>/; the demo's mirrors it.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var demoDll = Path.Combine(root, "samples", "Satchel.Demo", "bin", testOutput.Parent!.Name, testOutput.Name, "Satchel.Demo.dll");
        if (!File.Exists(demoDll)) throw new InvalidOperationException($"demo not built at {demoDll}");

        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var start = new ProcessStartInfo("dotnet", [demoDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(demoDll)!,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var demo = new DemoProcess(process, new Uri($"http://127.0.0.1:{port}/"));

        using var client = new HttpClient { BaseAddress = demo.Address };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.GetAsync("/legacy");
                return demo;
            }
            catch (HttpRequestException) when (waited.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
