using System.Text.RegularExpressions;

namespace Satchel.Tests;

/// <summary>
/// The core's folders depend downward only, in the order docs/architecture.md gives: a type in one
/// folder is used only by the folders above it. Read from the source, as a newcomer reads it: each
/// folder's declared types, then every use of another folder's type name outside comments and
/// strings (a member access such as <c>Log.InvalidCookieBurst(…)</c> is a member, not the type).
/// </summary>
public sealed partial class ArchitectureTests
{
    // Bottom up, as in docs/architecture.md; "." is the root folder (the entry points).
    private static readonly string[][] Order =
    [
        ["Stores"],
        ["Errors"],
        ["Adapters"],
        ["Diagnostics"],
        ["Options"],
        ["Cookies"],
        ["Memory", "CookieStore"],
        ["Session"],
        ["."],
        ["HttpListener", "Hosting"],
    ];

    [Fact]
    public void The_core_folders_depend_downward_only()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Satchel");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Folder: Path.GetRelativePath(root, Path.GetDirectoryName(f)!), Code: Code(File.ReadAllText(f)), Name: Path.GetFileName(f)))
            .ToList();
        var level = Order.SelectMany((folders, i) => folders.Select(f => (f, i))).ToDictionary(x => x.f, x => x.i);
        Assert.Equal(level.Keys.Order(), files.Select(f => f.Folder).Distinct().Order());   // every folder has its place

        var declaredIn = new Dictionary<string, string>();
        foreach (var file in files)
            foreach (Match m in Declaration().Matches(file.Code)) declaredIn.TryAdd(m.Groups[1].Value, file.Folder);

        var upward = new List<string>();
        foreach (var file in files)
            foreach (Match m in Identifier().Matches(file.Code))
            {
                if (!declaredIn.TryGetValue(m.Value, out var folder) || level[folder] <= level[file.Folder]) continue;
                var before = file.Code[..m.Index].TrimEnd();
                var after = file.Code[(m.Index + m.Length)..].TrimStart();
                if (before.EndsWith('.')) continue;                                             // a member of something else
                if (after.StartsWith('(') && !before.EndsWith("new", StringComparison.Ordinal)) continue;   // a method of the same name
                upward.Add($"{file.Folder}/{file.Name} uses {m.Value} ({folder})");
            }
        Assert.True(upward.Count == 0, "Upward dependencies:\n" + string.Join("\n", upward.Distinct()));
    }

    // The code without comments and string literals.
    private static string Code(string source)
    {
        source = RawString().Replace(source, "\"\"");
        source = LineComment().Replace(source, "");
        source = BlockComment().Replace(source, "");
        return StringLiteral().Replace(source, "\"\"");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Satchel.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Satchel.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex("\"\"\"[\\s\\S]*?\"\"\"")]
    private static partial Regex RawString();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"/\*[\s\S]*?\*/")]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
