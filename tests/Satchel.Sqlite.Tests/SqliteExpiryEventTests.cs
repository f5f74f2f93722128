using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Satchel.Tests.Support;

namespace Satchel.Sqlite.Tests;

/// <summary>The SQLite store tells the application what its sweep removed.</summary>
public sealed class SqliteExpiryEventTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("satchel-sqlite-events-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
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
        Assert.Equal(ids.Order(), heard.Select(e => e.Id).Order());
        Assert.All(heard, e =>
        {
            Assert.Equal(SessionEventKind.Expired, e.Kind);
            Assert.Equal("user" + ids.IndexOf(e.Id), e.UserId);
            Assert.Equal(expiresAt, e.Time);
        });
        Assert.Equal(0, store.SweepExpired());
        Assert.Equal(3, heard.Count);
    }
}
