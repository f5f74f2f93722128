using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Satchel.Packaging.Tests;

/// <summary>
/// The packages as a user gets them: every src/ project packed (from the build just made) into a
/// folder feed under a version of this run alone, a fresh app that references them by package —
/// not by project — restored from that feed, built, started, and asked for a session round trip.
/// A package missing a dependency, a file or a public type fails here before it ships.
/// </summary>
public sealed class PackageFeedTests : IDisposable
{
    private static readonly string Version = $"0.0.0-feedtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("satchel-feed-");

    [Fact]
    public async Task A_fresh_app_built_from_the_packed_packages_keeps_a_session()
    {
        var repo = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var feed = Path.Combine(_work.FullName, "feed");
        foreach (var project in Directory.GetDirectories(Path.Combine(repo, "src")).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")))
        {
            await RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={Version}", "-nologo", "-v", "quiet"], repo);
        }
        Assert.Equal(6, Directory.GetFiles(feed, "*.nupkg").Length);
        Assert.Equal(6, Directory.GetFiles(feed, "*.snupkg").Length);

        var app = Path.Combine(_work.FullName, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="satchel" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "FeedApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Satchel.AspNetCore" Version="{Version}" />
                <PackageReference Include="Satchel.Sqlite" Version="{Version}" />
                <PackageReference Include="Satchel.Redis" Version="{Version}" />
                <PackageReference Include="Satchel.DistributedCache" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Satchel;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddSatchel(o => o.Secrets.Add("feed-test-secret-0123456789-abcdefghijklmnop"))
                            .UseSqlite(Path.Combine(AppContext.BaseDirectory, "sessions.db"));
            var app = builder.Build();
            app.UseSatchel();
            app.MapGet("/", (Session session) =>
            {
                var visits = session.Get<int>("visits") + 1;
                session.Set("visits", visits);
                return visits;
            });
            app.Run();
            """);
        // Outside the repository's Directory.Build.props and central package versions.
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Packages.props"), "<Project />");
        await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "quiet"], app);

        var port = FreePort();
        using var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "FeedApp.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = app,
        })!;
        try
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Assert.Equal("1", await FirstAnswerAsync(browser, server));
            Assert.Equal("2", await browser.GetStringAsync(new Uri("/", UriKind.Relative)));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        _work.Delete(recursive: true);
        // The run's own version in the global package cache: nobody else will ever restore it.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in new[] { "satchel", "satchel.aspnetcore", "satchel.sqlite", "satchel.redis", "satchel.distributedcache", "satchel.testing" })
        {
            var folder = Path.Combine(cache, package, Version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    // The app answers once Kestrel listens; until then the connection is refused (it exits on a crash).
    private static async Task<string> FirstAnswerAsync(HttpClient browser, Process server)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await browser.GetStringAsync(new Uri("/", UriKind.Relative));
            }
            catch (HttpRequestException) when (!server.HasExited && attempt < 300)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException) when (server.HasExited)
            {
                throw new InvalidOperationException("The app built from the packages exited: " + await server.StandardError.ReadToEndAsync() + await server.StandardOutput.ReadToEndAsync());
            }
        }
    }

    private static async Task RunAsync(string file, string[] arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await error}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Satchel.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Satchel.slnx not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
