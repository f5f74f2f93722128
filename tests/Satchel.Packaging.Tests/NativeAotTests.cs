using System.Net;
using System.Text.RegularExpressions;
using static Satchel.Packaging.Tests.Support.Processes;

namespace Satchel.Packaging.Tests;

// Packing, building and publishing run one at a time: each of them already uses both cores.
[CollectionDefinition("builds", DisableParallelization = true)]
public sealed class BuildsCollection;

/// <summary>
/// Native AOT: the HttpListener sample and the minimal-API sample (the README's AOT quick start)
/// published with PublishAot=true, with no trim or AOT warning, run as native binaries that keep a
/// session. ASP.NET Core's own session is RequiresUnreferencedCode; Satchel is not.
/// </summary>
[Collection("builds")]
public sealed partial class NativeAotTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("satchel-aot-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task The_HttpListener_sample_published_native_keeps_a_session()
    {
        var binary = await PublishAsync("Satchel.HttpListener");
        var port = FreePort();
        using var server = Start(binary, [port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            using var browser = Browser(port);
            var first = await FirstAnswerAsync(browser, server, () => new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative)));
            Assert.Equal("Stored testValue in the session: reload the page.", await first.Content.ReadAsStringAsync());
            Assert.Equal("Read back from the session: A session variable", await browser.GetStringAsync(new Uri("/", UriKind.Relative)));
        }
        finally
        {
            await StopAsync(server);
        }
    }

    [Fact]
    public async Task The_minimal_API_sample_published_native_keeps_a_typed_value_through_its_JsonSerializerContext()
    {
        var binary = await PublishAsync("Satchel.MinimalApi");
        var port = FreePort();
        using var server = Start(binary, ["--urls", $"http://127.0.0.1:{port}"]);
        try
        {
            using var browser = Browser(port);
            var first = await FirstAnswerAsync(browser, server, () => new HttpRequestMessage(HttpMethod.Post, new Uri("/cart/book", UriKind.Relative)));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("""{"items":["book"]}""", await first.Content.ReadAsStringAsync());
            var second = await browser.PostAsync(new Uri("/cart/pen", UriKind.Relative), null);
            Assert.Equal("""{"items":["book","pen"]}""", await second.Content.ReadAsStringAsync());
            Assert.Equal("""{"items":["book","pen"]}""", await browser.GetStringAsync(new Uri("/cart", UriKind.Relative)));
        }
        finally
        {
            await StopAsync(server);
        }
    }

    [Fact]
    public async Task The_READMEs_Native_AOT_quick_start_is_the_published_sample()
    {
        var repo = RepositoryRoot();
        var readme = (await File.ReadAllTextAsync(Path.Combine(repo, "README.md"))).ReplaceLineEndings("\n");
        var section = readme[readme.IndexOf("## Quick start: Native AOT", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var block = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var sample = (await File.ReadAllTextAsync(Path.Combine(repo, "samples", "Satchel.MinimalApi", "Program.cs"))).ReplaceLineEndings("\n");
        Assert.Equal(sample, block);
    }

    [Fact]
    public async Task The_HttpListener_guides_code_published_native_keeps_a_typed_record()
    {
        // Seen: the guide said it publishes as Native AOT, but its Get<int>/Set<int> gave 8 trim
        // warnings and a record stored with Set<Cart> failed at run time in the native binary.
        var repo = RepositoryRoot();
        var guide = (await File.ReadAllTextAsync(Path.Combine(repo, "docs", "getting-started", "httplistener.md"))).ReplaceLineEndings("\n");
        var start = guide.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var program = guide[start..guide.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.Contains("localhost:5001", program, StringComparison.Ordinal);
        var port = FreePort();
        var project = Path.Combine(_work.FullName, "Shop");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), program.Replace("localhost:5001", $"localhost:{port}", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(project, "Shop.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(repo, "src", "Satchel", "Satchel.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        // Outside the repository's Directory.Build.props, as a user's app is.
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Packages.props"), "<Project />");

        var binary = await PublishAsync(Path.Combine(project, "Shop.csproj"), "Shop");
        using var server = Start(binary, []);
        try
        {
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://localhost:{port}/") };
            var first = await FirstAnswerAsync(browser, server, () => new HttpRequestMessage(HttpMethod.Get, new Uri("/?add=book", UriKind.Relative)));
            Assert.Equal("Visit 1, cart: book", await first.Content.ReadAsStringAsync());
            Assert.Equal("Visit 2, cart: book, pen", await browser.GetStringAsync(new Uri("/?add=pen", UriKind.Relative)));
        }
        finally
        {
            await StopAsync(server);
        }
    }

    // Publishes a sample natively; any trim or AOT analysis warning fails the test, with the log.
    private Task<string> PublishAsync(string sample) =>
        PublishAsync(Path.Combine(RepositoryRoot(), "samples", sample, sample + ".csproj"), sample);

    private async Task<string> PublishAsync(string projectFile, string sample)
    {
        Assert.True(HasNativeLinker(), "Native AOT links with clang (or gcc), and this machine has neither: install clang (Debian: apt-get install clang; ./test.sh does so when run as root).");
        var repo = RepositoryRoot();
        var output = Path.Combine(_work.FullName, sample + "-native");
        var log = await RunAsync("dotnet", ["publish", projectFile, "-c", "Release", "-r", "linux-x64",
            "-p:PublishAot=true", "-o", output, "-nologo", "-clp:NoSummary"], repo);
        var warnings = AotWarning().Matches(log).Select(m => m.Value).Distinct().ToList();
        Assert.True(warnings.Count == 0, "trim/AOT warnings:\n" + string.Join("\n", warnings));
        var binary = Path.Combine(output, sample);
        Assert.True(File.Exists(binary), $"no native binary at {binary}:\n{log}");
        return binary;
    }

    // The AOT compiler links with clang, or gcc when there is no clang (Microsoft.NETCore.Native.Unix.targets).
    private static bool HasNativeLinker() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "clang")) || File.Exists(Path.Combine(dir, "gcc")));

    private static HttpClient Browser(int port) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

    [GeneratedRegex(@"^.*warning (IL\d{4}|IL3\d{3}|AOT\d+).*$", RegexOptions.Multiline)]
    private static partial Regex AotWarning();
}
