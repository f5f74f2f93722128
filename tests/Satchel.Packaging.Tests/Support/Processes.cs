using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Satchel.Packaging.Tests.Support;

/// <summary>Child processes for the tests that build, pack, publish and start apps as a user does.</summary>
internal static class Processes
{
    /// <summary>Runs a command to its end; fails the test with its output when it fails. Returns its standard output and error.</summary>
    public static async Task<string> RunAsync(string file, string[] arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var all = await output + await error;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{all}");
        return all;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Satchel.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Satchel.slnx not found above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts an app and gives it back with a browser (cookies kept) on <paramref name="port"/>; kill it when done.</summary>
    public static Process Start(string file, string[] arguments, string? directory = null) =>
        Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory ?? "" })!;

    /// <summary>
    /// The app's first answer to <paramref name="request"/>: it answers once it listens; until then
    /// the connection is refused. Fails with the app's output when it exits instead.
    /// </summary>
    public static async Task<HttpResponseMessage> FirstAnswerAsync(HttpClient browser, Process server, Func<HttpRequestMessage> request)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var message = request();
                return await browser.SendAsync(message);
            }
            catch (HttpRequestException) when (!server.HasExited && attempt < 300)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException) when (server.HasExited)
            {
                throw new InvalidOperationException("The app exited: " + await server.StandardError.ReadToEndAsync() + await server.StandardOutput.ReadToEndAsync());
            }
        }
    }

    public static async Task StopAsync(Process server)
    {
        server.Kill();
        await server.WaitForExitAsync();
    }
}
