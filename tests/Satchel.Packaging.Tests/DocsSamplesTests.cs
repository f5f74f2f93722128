using System.Text;
using System.Text.RegularExpressions;
using static Satchel.Packaging.Tests.Support.Processes;

namespace Satchel.Packaging.Tests;

/// <summary>
/// Every C# block in README.md and docs/ compiles against the libraries. Each block becomes one
/// file of one generated project: its <c>using</c> lines at the top, its statements in a method,
/// its type declarations after it, in a namespace of its own. A block that uses a name it does not
/// declare (<c>builder</c>, <c>app</c>, <c>session</c>, …) gets it as a parameter of the type
/// <see cref="Context"/> lists, so a fragment compiles as the code around it in a real app would make it.
/// </summary>
[Collection("builds")]
public sealed partial class DocsSamplesTests : IDisposable
{
    // The names fragments may take from their surroundings, with their types.
    private static readonly (string Name, string Type)[] Context =
    [
        ("builder", "WebApplicationBuilder"), ("app", "WebApplication"), ("services", "IServiceCollection"),
        ("context", "System.Net.HttpListenerContext"), ("sessions", "SessionManager"), ("manager", "SessionManager"),
        ("session", "Session"), ("http", "HttpContext"), ("secret", "string"), ("logger", "ILogger"),
        ("audit", "Docs.IAuditLog"), ("queue", "Docs.IEventQueue"), ("existingMultiplexer", "StackExchange.Redis.IConnectionMultiplexer"),
        ("admin", "SessionAdmin"), ("user", "string"), ("store", "Satchel.Stores.ISessionStore"), ("options", "SatchelOptions"), ("args", "string[]"),
    ];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("satchel-docs-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Every_csharp_block_in_the_README_and_the_docs_compiles()
    {
        var repo = RepositoryRoot();
        var documents = new[] { Path.Combine(repo, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(repo, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        var project = Path.Combine(_work.FullName, "docs");
        Directory.CreateDirectory(project);
        var blocks = 0;
        foreach (var document in documents)
        {
            var relative = Path.GetRelativePath(repo, document);
            var index = 0;
            foreach (Match block in CsharpBlock().Matches((await File.ReadAllTextAsync(document)).ReplaceLineEndings("\n")))
            {
                var name = Regex.Replace(relative, "[^A-Za-z0-9]", "_");
                await File.WriteAllTextAsync(Path.Combine(project, $"{name}_{++index}.cs"), Wrap(name, relative, index, block.Groups[1].Value));
                blocks++;
            }
        }
        Assert.True(blocks >= 20, $"only {blocks} C# blocks found");

        await File.WriteAllTextAsync(Path.Combine(project, "Support.cs"), """
            namespace Docs;

            public interface IAuditLog { ValueTask WriteAsync(Satchel.SessionEvent e); }

            public interface IEventQueue { ValueTask EnqueueAsync(Satchel.SessionEvent e); }

            public abstract class MyResponse
            {
                public abstract bool HeadersSent { get; }
                public abstract string[] GetHeaderValues(string name);
                public abstract void SetHeaderValues(string name, string[] values);
            }
            """);
        var references = string.Concat(Directory.GetDirectories(Path.Combine(repo, "src"))
            .Select(d => $"""<ProjectReference Include="{Path.Combine(d, Path.GetFileName(d) + ".csproj")}" />"""));
        await File.WriteAllTextAsync(Path.Combine(project, "Docs.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <NoWarn>$(NoWarn);CS1998;CS0162;CS8321;CS0168;CS0219;ASP0000;CS8602;NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>{references}</ItemGroup>
              <ItemGroup>
                <PackageReference Include="OpenTelemetry.Extensions.Hosting" Version="1.20.1" />
                <PackageReference Include="Microsoft.Garnet" Version="2.2.8" />
                <PackageReference Include="Microsoft.Extensions.Caching.StackExchangeRedis" Version="10.0.15" />
              </ItemGroup>
              <ItemGroup>
                <Using Include="Satchel" />
                <Using Include="Satchel.Redis" />
                <Using Include="Satchel.Sqlite" />
                <Using Include="Satchel.Postgres" />
                <Using Include="Satchel.DistributedCache" />
                <Using Include="Satchel.Testing" />
                <Using Include="Microsoft.AspNetCore.Authentication" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "Directory.Packages.props"), "<Project />");
        await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "quiet", "-clp:NoSummary"], project);
    }

    // One block as a file: usings on top, statements in a method taking what they use but do not
    // declare, types after. The blocks of one document share a namespace, so a later block may use
    // a type an earlier one declared, as a reader would expect.
    private static string Wrap(string name, string document, int index, string block)
    {
        var lines = block.Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("using var", StringComparison.Ordinal) || l.Length == 0).ToList();
        var rest = lines.Skip(usings.Count).ToList();
        var typesAt = rest.FindIndex(l => TypeDeclaration().IsMatch(l));
        var statements = typesAt < 0 ? rest : rest.Take(typesAt).ToList();
        var types = typesAt < 0 ? [] : rest.Skip(typesAt).ToList();
        var body = string.Join('\n', statements);
        var parameters = Context
            .Where(c => Regex.IsMatch(body, $@"(?<![\w.""]){c.Name}\b") && !Declares(body, c.Name))
            .Select(c => $"{c.Type} {c.Name}");
        var file = new StringBuilder();
        file.AppendLine($"// {document}, C# block {index}");
        foreach (var line in usings.Where(l => l.Length > 0)) file.AppendLine(line);
        file.AppendLine($"namespace Docs.{name};");
        file.AppendLine("#line 1");
        file.AppendLine($"static class Block{index} {{ public static async Task Run({string.Join(", ", parameters)}) {{");
        file.AppendLine(body);
        file.AppendLine("await Task.CompletedTask; } }");
        foreach (var line in types) file.AppendLine(line);
        return file.ToString();
    }

    // Whether the block declares the name itself: a local, a typed parameter, or a lambda's parameter.
    private static bool Declares(string body, string name) =>
        Regex.IsMatch(body, $@"\b(var|using var)\s+{name}\b|\b(?!return\b|await\b|new\b|throw\b|in\b|is\b|as\b|out\b|ref\b)[A-Za-z_][\w<>\[\]?.]*\s+{name}\s*[,)=;]|\b{name}\s*=>");

    [GeneratedRegex(@"^```csharp[^\n]*\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CsharpBlock();

    [GeneratedRegex(@"^(\[|(public |internal |static |sealed |partial |abstract )*(class|record|interface|struct|enum) )")]
    private static partial Regex TypeDeclaration();
}
