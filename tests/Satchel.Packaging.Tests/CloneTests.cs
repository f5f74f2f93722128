using System.Text.Json;
using static Satchel.Packaging.Tests.Support.Processes;

namespace Satchel.Packaging.Tests;

/// <summary>
/// The repository as a new user clones it: anywhere, including under a folder named <c>src</c>
/// (a clone at <c>~/src/satchel</c> once built the samples as libraries, 92 errors). The libraries
/// are told apart by their folder's own props file, so the same projects ship wherever the clone is.
/// </summary>
[Collection("builds")]
public sealed class CloneTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("satchel-clone-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task A_clone_under_a_folder_named_src_ships_the_libraries_and_only_them()
    {
        var repo = RepositoryRoot();
        var clone = Path.Combine(_work.FullName, "src", "satchel");
        var files = await RunAsync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], repo);
        foreach (var file in files.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(Path.Combine(repo, file))) continue;   // deleted, not yet committed
            var target = Path.Combine(clone, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(repo, file), target);
        }

        foreach (var library in new[] { "src/Satchel/Satchel.csproj", "src/Satchel.AspNetCore/Satchel.AspNetCore.csproj" })
        {
            var properties = await PropertiesAsync(clone, library);
            Assert.Equal(("true", "true", "README.md"), (properties["IsPackable"], properties["GenerateDocumentationFile"], properties["PackageReadmeFile"]));
        }
        foreach (var app in new[] { "samples/Satchel.Demo/Satchel.Demo.csproj", "samples/Satchel.MinimalApi/Satchel.MinimalApi.csproj", "bench/Satchel.BenchApp/Satchel.BenchApp.csproj" })
        {
            var properties = await PropertiesAsync(clone, app);
            Assert.True(properties["IsPackable"] == "false" && properties["PackageReadmeFile"] == "", $"{app} would be packed as a library: {string.Join(", ", properties)}");
            Assert.True(properties["WarnOnPackingNonPackableProject"] == "false", $"dotnet pack at the root would warn that {app} cannot be packed");
        }
    }

    private static async Task<Dictionary<string, string>> PropertiesAsync(string clone, string project)
    {
        var json = await RunAsync("dotnet", ["msbuild", project, "-getProperty:IsPackable", "-getProperty:GenerateDocumentationFile", "-getProperty:PackageReadmeFile", "-getProperty:WarnOnPackingNonPackableProject", "-nologo"], clone);
        using var document = JsonDocument.Parse(json[json.IndexOf('{', StringComparison.Ordinal)..]);
        return document.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }
}
