using Microsoft.Extensions.Time.Testing;

namespace Satchel.Tests.Support;

/// <summary>Builds managers the way apps do, with a test secret, a fake clock and collected logs.</summary>
public sealed class TestSetup
{
    public const string Secret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public LogCollector Logs { get; } = new();

    public MemorySessionStore Memory { get; }

    public CountingStore Store { get; }

    public SessionManager Manager { get; }

    public TestSetup(Action<SatchelOptions>? configure = null, ISessionStore? store = null)
    {
        var options = new SatchelOptions();
        options.Secrets.Add(Secret);
        configure?.Invoke(options);
        Memory = new MemorySessionStore(null, Time);
        Store = new CountingStore(store ?? Memory);
        Manager = new SessionManager(options, Store, Time, Logs);
    }

    public CookieJar NewBrowser() => new(Manager);
}
