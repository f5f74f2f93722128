using Satchel.Sqlite;
using Satchel.Testing;

namespace Satchel.Sqlite.Tests;

/// <summary>The SQLite store, on a real file, against the whole store contract.</summary>
public sealed class SqliteStoreConformanceTests : SessionStoreConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override ValueTask<ISessionStore> CreateStoreAsync() => new(new SqliteSessionStore(_database.Path));

    public void Dispose() => _database.Dispose();
}

/// <summary>A database file in a directory of its own, removed (with its WAL files) afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("satchel-sqlite-").FullName;

    public string Path => System.IO.Path.Combine(Directory, "sessions.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
