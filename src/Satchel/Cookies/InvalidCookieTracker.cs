using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Satchel;

/// <summary>
/// Rejected session cookies: logged, counted, and per client counted in fixed windows to spot
/// token guessing. Bounded in memory and in time per request, also under a flood from many
/// addresses: past <see cref="MaxClients"/> tracked clients, windows that have ended are dropped
/// at most once per eighth of a window, and while the table stays full a client not yet tracked
/// is not counted (it is logged and in the metric; a flood that large is the metric's to show).
/// </summary>
internal sealed class InvalidCookieTracker(SatchelOptions options, TimeProvider time, ILogger logger)
{
    public const int MaxClients = 100_000;
    private readonly ConcurrentDictionary<string, Window> _clients = new(StringComparer.Ordinal);
    private long _lastPrune = long.MinValue / 2;
    private long _pruneVisits;
    private int _tracked;

    /// <summary>Entries looked at by pruning so far (for tests: the work a flood costs).</summary>
    public long PruneVisits => Interlocked.Read(ref _pruneVisits);

    /// <summary>Clients tracked now.</summary>
    public int Tracked => Volatile.Read(ref _tracked);

    /// <summary>
    /// Records one rejected cookie of <paramref name="client"/>. Past the limit it warns once per
    /// window; a <paramref name="refusable"/> rejection (one at the door, before the request ran)
    /// also asks the app's hook, and throws when the hook refuses.
    /// </summary>
    /// <exception cref="SessionThrottledException">The app's hook refused the client.</exception>
    public void Reject(string? client, string reason, bool refusable)
    {
        Log.CookieRejected(logger, reason);
        SatchelMetrics.CookiesRejected.Add(1);
        if (client is null) return;
        var rejected = Count(client);
        if (rejected <= options.InvalidCookieLimit) return;   // 0: not tracked while the table is full
        if (rejected == options.InvalidCookieLimit + 1)
        {
            Log.InvalidCookieBurst(logger, client, rejected, options.InvalidCookieWindow.TotalSeconds);
            SatchelMetrics.InvalidCookieBursts.Add(1);
        }
        if (refusable && options.OnInvalidCookieBurst?.Invoke(new InvalidCookieBurst(client, rejected)) == true)
            throw new SessionThrottledException($"Client {client} sent {rejected} invalid session cookies within {options.InvalidCookieWindow.TotalSeconds} s; the application's OnInvalidCookieBurst refused the request.");
    }

    /// <summary>Counts one rejection; gives the client's count in its current window.</summary>
    private int Count(string client)
    {
        var now = time.GetTimestamp();
        var length = (long)(options.InvalidCookieWindow.TotalSeconds * time.TimestampFrequency);
        if (!_clients.TryGetValue(client, out var window))
        {
            // ConcurrentDictionary.Count takes every lock: the table keeps its own count.
            if (Volatile.Read(ref _tracked) >= MaxClients)
            {
                var last = Interlocked.Read(ref _lastPrune);
                if (now - last >= length / 8 && Interlocked.CompareExchange(ref _lastPrune, now, last) == last) Prune(now, length);
                if (Volatile.Read(ref _tracked) >= MaxClients) return 0;
            }
            var fresh = new Window(now);
            if (_clients.TryAdd(client, fresh)) Interlocked.Increment(ref _tracked);
            if (!_clients.TryGetValue(client, out window)) return 0;   // pruned in between
        }
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
            Interlocked.Increment(ref _pruneVisits);
            if (now - Volatile.Read(ref window.Start) >= length && _clients.TryRemove(new KeyValuePair<string, Window>(client, window))) Interlocked.Decrement(ref _tracked);
        }
    }

    private sealed class Window(long start)
    {
        public long Start = start;
        public int Rejected;
    }
}
