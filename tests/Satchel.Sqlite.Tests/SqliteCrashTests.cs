using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Satchel.Sqlite.Tests;

/// <summary>Durability: a process killed with SIGKILL in the middle of its commits loses none it acknowledged.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Every_commit_acknowledged_before_a_SIGKILL_is_in_the_file_and_the_file_is_intact()
    {
        var child = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Satchel.Sqlite.CrashChild.dll"), _database.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var acknowledged = new List<string>();
        try
        {
            // Kill it mid-stream: after a few hundred commits, with four writers in flight.
            while (acknowledged.Count < 600 && await child.StandardOutput.ReadLineAsync() is { } line) acknowledged.Add(line);
        }
        finally
        {
            child.Kill();   // SIGKILL on Linux: no flush, no finalizers, no clean close of the database
        }
        // Lines already written to the pipe before the kill were acknowledged too.
        while (await child.StandardOutput.ReadLineAsync() is { } line) acknowledged.Add(line);
        await child.WaitForExitAsync();
        Assert.True(acknowledged.Count >= 600, $"the child stopped early: {await child.StandardError.ReadToEndAsync()}");
        Assert.Equal(137, child.ExitCode);   // 128 + SIGKILL

        await using (var connection = new SqliteConnection($"Data Source={_database.Path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await check.ExecuteScalarAsync());
        }

        using var store = new SqliteSessionStore(_database.Path);
        var created = acknowledged.Where(l => l[0] == 'C').Select(Parse).ToList();
        var updated = acknowledged.Where(l => l[0] == 'U').Select(Parse).ToDictionary(u => u.Key, u => u.N);
        Assert.NotEmpty(updated);
        var now = DateTimeOffset.UtcNow;
        foreach (var (key, n) in created)
        {
            var record = await store.LoadAsync(SessionKey.Parse(key), now, TimeSpan.FromDays(1));
            Assert.NotNull(record);
            Assert.Equal(n, Number(record, "n"));
            if (updated.TryGetValue(key, out var m)) Assert.Equal(m, Number(record, "m"));
        }
    }

    public void Dispose() => _database.Dispose();

    private static (string Key, int N) Parse(string line)
    {
        var parts = line.Split(' ');
        return (parts[1], int.Parse(parts[2]));
    }

    private static int Number(SessionRecord record, string key) =>
        record.TryGetValue(key, out var json) ? int.Parse(System.Text.Encoding.UTF8.GetString(json)) : -1;
}
