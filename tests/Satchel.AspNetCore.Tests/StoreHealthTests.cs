using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>AddSatchelStore(): one health check for any store, unhealthy while the store fails and healthy again after.</summary>
public sealed class StoreHealthTests
{
    [Fact]
    public async Task The_store_health_check_follows_the_store_down_and_back_up_and_names_its_error()
    {
        var store = new SwitchableStore(new MemorySessionStore());
        await using var app = await SatchelApp.StartAsync(
            a => a.MapHealthChecks("/health"),
            store: s => s.UseStore(_ => store),
            setup: b => b.Services.AddHealthChecks().AddSatchelStore());
        using var client = app.NewRawClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        store.Down = true;
        var down = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        store.Down = false;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.True(store.Loads >= 3);
    }

    [Fact]
    public async Task A_store_timing_out_as_a_cancelled_task_gets_the_checks_failure_status_and_its_error()
    {
        // StackExchange.Redis under a starved pool reports its own timeout as a cancelled task; the
        // health check's token was not cancelled, so that is the store failing, reported as the
        // store's error (before: the health service's own "A timeout occurred while running check.").
        var store = new SwitchableStore(new MemorySessionStore()) { TimesOutAsCancelled = true };
        await using var app = await SatchelApp.StartAsync(
            a => a.MapHealthChecks("/health", new() { ResponseWriter = (c, report) => c.Response.WriteAsync(report.Entries["satchel-store"].Description ?? "") }),
            store: s => s.UseStore(_ => store),
            setup: b => b.Services.AddHealthChecks().AddSatchelStore(failureStatus: HealthStatus.Degraded));
        using var client = app.NewRawClient();

        var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);   // Degraded, as registered: a failure, not a crash
        Assert.Equal("Satchel's session store (SwitchableStore) failed: sessions-db timed out", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_SQLite_store_health_check_fails_while_the_sessions_table_is_gone_and_recovers_when_it_is_back()
    {
        var directory = Directory.CreateTempSubdirectory("satchel-sqlite-health-").FullName;
        var path = Path.Combine(directory, "sessions.db");
        await using (var app = await SatchelApp.StartAsync(
            a => a.MapHealthChecks("/health"),
            store: s => s.UseSqlite(path),
            setup: b => b.Services.AddHealthChecks().AddSatchelStore()))
        {
            using var client = app.NewRawClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);

            // Another process (a botched migration, an operator) takes the table away.
            Execute(path, "ALTER TABLE satchel_sessions RENAME TO satchel_sessions_away");
            var down = await client.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

            Execute(path, "ALTER TABLE satchel_sessions_away RENAME TO satchel_sessions");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        }
        Directory.Delete(directory, recursive: true);
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class SwitchableStore(ISessionStore inner) : ISessionStore
    {
        public volatile bool Down;
        public volatile bool TimesOutAsCancelled;
        public int Loads;

        public SessionStoreGuarantees Guarantees => inner.Guarantees;

        public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Loads);
            if (Down) throw new IOException("connection refused by sessions-db");
            if (TimesOutAsCancelled) throw new TaskCanceledException("sessions-db timed out");
            return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
        }

        public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => inner.CreateAsync(key, record, cancellationToken);

        public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => inner.UpdateAsync(key, change, cancellationToken);

        public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    }
}
