using Satchel.Postgres.Tests.Support;
using Satchel.Testing;

namespace Satchel.Postgres.Tests;

/// <summary>The PostgreSQL store, on a real server, against the whole store contract: each test on a table of its own, as the suite wants a fresh store.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreConformanceTests(PostgresServer server) : SessionStoreConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync() =>
        new(PostgresSessionStore.Connect(server.ConnectionString, new PostgresSessionStoreOptions { TableName = "c" + Guid.NewGuid().ToString("N")[..16] }));
}
