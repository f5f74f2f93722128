using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// Counts rejected session cookies per client in fixed windows, to spot token guessing. Bounded:
/// past <see cref="MaxClients"/> tracked clients, windows that have ended are dropped.
/// </summary>
internal sealed class InvalidCookieTracker(SatchelOptions options, TimeProvider time)
{
    private const int MaxClients = 100_000;
    private readonly ConcurrentDictionary<string, Window> _clients = new(StringComparer.Ordinal);

    /// <summary>Counts one rejection; gives the client's count in its current window.</summary>
    public int Count(string client)
    {
        var now = time.GetTimestamp();
        var length = (long)(options.InvalidCookieWindow.TotalSeconds * time.TimestampFrequency);
        if (_clients.Count >= MaxClients) Prune(now, length);
        var window = _clients.GetOrAdd(client, static (_, start) => new Window(start), now);
        lock (window)
        {
            if (now - window.Start >= length)
            {
                window.Start = now;
                window.Rejected = 0;
            }
            return ++window.Rejected;
        }
    }

    private void Prune(long now, long length)
    {
        foreach (var (client, window) in _clients)
        {
            if (now - Volatile.Read(ref window.Start) >= length) _clients.TryRemove(new KeyValuePair<string, Window>(client, window));
        }
    }

    private sealed class Window(long start)
    {
        public long Start = start;
        public int Rejected;
    }
}
