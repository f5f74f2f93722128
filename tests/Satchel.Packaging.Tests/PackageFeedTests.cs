using System.Diagnostics;
using System.Net;
using Satchel.Packaging.Tests.Support;
using static Satchel.Packaging.Tests.Support.Processes;

namespace Satchel.Packaging.Tests;

/// <summary>
/// The packages as a user gets them: every src/ project packed (from the build just made) into a
/// folder feed under a version of this run alone, a fresh app that references them by package —
/// not by project — restored from that feed, built, started, and asked for a session round trip.
/// A package missing a dependency, a file or a public type fails here before it ships.
/// </summary>
[Collection("builds")]
public sealed class PackageFeedTests : IDisposable
{
    private static readonly string Version = $"0.0.0-feedtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("satchel-feed-");

    [Fact]
    public async Task A_fresh_app_built_from_the_packed_packages_keeps_a_session()
    {
        var repo = RepositoryRoot();
        var feed = Path.Combine(_work.FullName, "feed");
        await PackAsync(repo, feed);
        Assert.Equal(7, Directory.GetFiles(feed, "*.nupkg").Length);
        Assert.Equal(7, Directory.GetFiles(feed, "*.snupkg").Length);
        // A package page shows the package's README alone: no link or image may point into the repository.
        using (var package = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(feed, "Satchel.AspNetCore.*.nupkg").Single()))
        {
            using var reader = new StreamReader(package.GetEntry("README.md")!.Open());
            var readme = await reader.ReadToEndAsync();
            Assert.Contains("AddSatchel", readme, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\]\((?!https://)", readme);
        }

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
        using var server = Start("dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "FeedApp.dll"), "--urls", $"http://127.0.0.1:{port}"], app);
        try
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Assert.Equal("1", await (await FirstAnswerAsync(browser, server, () => new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative)))).Content.ReadAsStringAsync());
            Assert.Equal("2", await browser.GetStringAsync(new Uri("/", UriKind.Relative)));
        }
        finally
        {
            await StopAsync(server);
        }
    }

    /// <summary>README's two quick starts compile as pasted, against the packages, and answer over HTTP.</summary>
    [Fact]
    public async Task The_README_quick_starts_build_from_the_packages_and_keep_a_session()
    {
        var repo = RepositoryRoot();
        var feed = Path.Combine(_work.FullName, "feed");
        await PackAsync(repo, feed);
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="satchel" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Packages.props"), "<Project />");
        var readme = await File.ReadAllTextAsync(Path.Combine(repo, "README.md"));

        // The HttpListener quick start names its port (5001): the test moves it to a free one.
        var listenerPort = FreePort();
        var listenerProgram = QuickStart(readme, "## Quick start: plain HttpListener");
        Assert.Contains("http://localhost:5001/", listenerProgram, StringComparison.Ordinal);
        var listener = await BuildAsync("ListenerQuickStart", "Microsoft.NET.Sdk", "Satchel", listenerProgram.Replace("localhost:5001", $"localhost:{listenerPort}", StringComparison.Ordinal), exe: true);
        await AssertTwoRequestsAsync(listener, [], listenerPort, "Stored testValue: reload the page.", "A session variable");

        var web = await BuildAsync("WebQuickStart", "Microsoft.NET.Sdk.Web", "Satchel.AspNetCore", QuickStart(readme, "## Quick start: ASP.NET Core"), exe: false);
        var port = FreePort();
        await AssertTwoRequestsAsync(web, ["--urls", $"http://localhost:{port}"], port, "Visit 1", "Visit 2");
    }

    private static string QuickStart(string readme, string heading)
    {
        var section = readme[readme.IndexOf(heading, StringComparison.Ordinal)..];
        const string fence = "```csharp\n";
        var start = section.IndexOf(fence, StringComparison.Ordinal) + fence.Length;
        return section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static async Task PackAsync(string repo, string feed)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        foreach (var project in Directory.GetDirectories(Path.Combine(repo, "src")).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")))
        {
            await RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={Version}", "-nologo", "-v", "quiet"], repo);
        }
    }

    private async Task<string> BuildAsync(string name, string sdk, string package, string program, bool exe)
    {
        var dir = Path.Combine(_work.FullName, name);
        Directory.CreateDirectory(dir);
        var outputType = exe ? "<OutputType>Exe</OutputType>" : "";
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                {outputType}
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), program);
        await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "quiet"], dir);
        return Path.Combine(dir, "bin", "Release", "net10.0", name + ".dll");
    }

    private static async Task AssertTwoRequestsAsync(string dll, string[] arguments, int port, string first, string second)
    {
        using var server = Start("dotnet", [dll, .. arguments]);
        try
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://localhost:{port}/") };
            Assert.Equal(first, await (await FirstAnswerAsync(browser, server, () => new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative)))).Content.ReadAsStringAsync());
            Assert.Equal(second, await browser.GetStringAsync(new Uri("/", UriKind.Relative)));
        }
        finally
        {
            await StopAsync(server);
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
}
