using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Satchel.AspNetCore.Tests;

/// <summary>Starts the demo site as its own process, the way `dotnet run --project samples/Satchel.Demo` does.</summary>
public sealed class DemoTests : IAsyncLifetime
{
    private Process? _demo;
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        // The test's own output folder is tests/<project>/bin/<Configuration>/<tfm>/; the demo's mirrors it.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var demoDll = Path.Combine(root, "samples", "Satchel.Demo", "bin", testOutput.Parent!.Name, testOutput.Name, "Satchel.Demo.dll");
        Assert.True(File.Exists(demoDll), $"demo not built at {demoDll}");

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
        _demo = Process.Start(start)!;
        _demo.OutputDataReceived += (_, _) => { };
        _demo.ErrorDataReceived += (_, _) => { };
        _demo.BeginOutputReadLine();
        _demo.BeginErrorReadLine();
        _browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probeClient = new HttpClient { BaseAddress = _browser.BaseAddress };
                await probeClient.GetAsync("/legacy");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_demo.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        _browser.Dispose();
        if (_demo is { HasExited: false }) _demo.Kill(entireProcessTree: true);
        _demo?.WaitForExit(5000);
        _demo?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_demo_stores_a_value_says_reload_and_reads_it_back_with_a_visit_counter()
    {
        var first = await _browser.GetStringAsync("/");
        Assert.Contains("reload the page", first, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">1</strong>", first, StringComparison.Ordinal);
        var second = await _browser.GetStringAsync("/");
        Assert.Contains("<strong id=\"value\">A session variable</strong>", second, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">2</strong>", second, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"visits\">3</strong>", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("testValue via ISession: A session variable", await _browser.GetStringAsync("/legacy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_signs_in_lists_sessions_and_signs_out()
    {
        await _browser.GetStringAsync("/");
        var login = await _browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "ann", ["remember"] = "on" }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("Max-Age=2592000", login.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>ann</strong>", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("(this one)", await _browser.GetStringAsync("/sessions"), StringComparison.Ordinal);
        await _browser.PostAsync("/logout", null);
        Assert.Contains("Not signed in.", await _browser.GetStringAsync("/"), StringComparison.Ordinal);
    }
}
