using Microsoft.Data.Sqlite;
using Satchel.Tests;

namespace Satchel.Sqlite.Tests;

/// <summary>Durability: a process killed with SIGKILL in the middle of its commits loses none it acknowledged.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Every_commit_acknowledged_before_a_SIGKILL_is_in_the_file_and_the_file_is_intact()
    {
        var acknowledged = await CrashWrites.RunAndKillAsync("Satchel.Sqlite.CrashChild.dll", [_database.Path], acknowledgements: 600);

        await using (var connection = new SqliteConnection($"Data Source={_database.Path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await check.ExecuteScalarAsync());
        }

        using var store = new SqliteSessionStore(_database.Path);
        await CrashWrites.AssertAllPresentAsync(store, acknowledged);
    }

    public void Dispose() => _database.Dispose();
}
