using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Satchel.AspNetCore.Tests.Support;
using Satchel.Tests.Support;

namespace Satchel.Sqlite.Tests;

/// <summary>The SQLite store in production: its health check follows the file down and back, and its sweep reports what expired.</summary>
public sealed class SqliteHealthAndEventTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("satchel-sqlite-health-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_health_check_fails_while_the_sessions_table_is_gone_and_recovers_when_it_is_back()
    {
        var path = Path.Combine(_directory, "sessions.db");
        await using var app = await SatchelApp.StartAsync(
            a => a.MapHealthChecks("/health"),
            store: s => s.UseSqlite(path),
            setup: b => b.Services.AddHealthChecks().AddSatchelStore());
        using var client = app.NewRawClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);

        // Another process (a botched migration, an operator) takes the table away.
        Execute(path, "ALTER TABLE satchel_sessions RENAME TO satchel_sessions_away");
        var down = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

        Execute(path, "ALTER TABLE satchel_sessions_away RENAME TO satchel_sessions");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task The_sweep_reports_each_expired_session_with_its_user_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var store = new SqliteSessionStore(Path.Combine(_directory, "events.db"), new SqliteSessionStoreOptions { SweepInterval = TimeSpan.FromDays(1) }, time);
        var heard = new List<SessionEvent>();
        var options = new SatchelOptions();
        options.Secrets.Add("sqlite-events-secret-0123456789-abcdefghijklmnop");
        options.Events.OnExpired = e => { heard.Add(e); return ValueTask.CompletedTask; };
        using var manager = new SessionManager(options, store, time);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await new CookieJar(manager).RequestAsync(s => { s["n"] = i.ToString(); s.UserId = "user" + i; return s.Id; }));
        var expiresAt = time.GetUtcNow() + options.IdleTimeout;

        time.Advance(options.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(3, store.SweepExpired());
        Assert.Equal(ids.Order(), heard.Select(e => e.SessionId).Order());
        Assert.All(heard, e =>
        {
            Assert.Equal(SessionEventKind.Expired, e.Kind);
            Assert.Equal("user" + ids.IndexOf(e.SessionId), e.UserId);
            Assert.Equal(expiresAt, e.Time);
        });
        Assert.Equal(0, store.SweepExpired());
        Assert.Equal(3, heard.Count);
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
