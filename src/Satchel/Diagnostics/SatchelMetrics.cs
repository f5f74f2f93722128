using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Satchel;

/// <summary>
/// The instruments of the meter <c>Satchel</c>, named by OpenTelemetry's conventions (dotted
/// namespaces, units in UCUM, errors as <c>error.type</c>). docs/observability.md lists them.
/// </summary>
internal static class SatchelMetrics
{
    private static readonly Meter Meter = new(SatchelDiagnostics.MeterName, typeof(SatchelMetrics).Assembly.GetName().Version?.ToString());

    // Stores that count their live sessions, weakly held: the instrument reports each once, however many managers share it.
    private static readonly ConditionalWeakTable<ISessionStore, string> CountingStores = [];

    // Stores whose expiry this meter already counts.
    private static readonly ConditionalWeakTable<ISessionStore, ISessionStore> ExpiryCounted = [];

    public static readonly Counter<long> SessionsCreated = Meter.CreateCounter<long>("satchel.session.created", "{session}", "Sessions stored for the first time.");
    public static readonly Counter<long> SessionsRegenerated = Meter.CreateCounter<long>("satchel.session.regenerated", "{session}", "Stored sessions moved to a new token (RegenerateAsync, sign-in).");
    public static readonly Counter<long> SessionsDestroyed = Meter.CreateCounter<long>("satchel.session.destroyed", "{session}", "Sessions ended by the application: Destroy, sign-out, SessionAdmin revocations.");
    public static readonly Counter<long> SessionsExpired = Meter.CreateCounter<long>("satchel.session.expired", "{session}", "Expired sessions a store's sweep removed (stores that report expiry only).");
    public static readonly Counter<long> CookiesRejected = Meter.CreateCounter<long>("satchel.cookie.rejected", "{cookie}", "Session tokens (cookie or header) that were malformed, wrongly signed or unknown to the store.");
    public static readonly Counter<long> InvalidCookieBursts = Meter.CreateCounter<long>("satchel.cookie.rejection_bursts", "{client}", "Clients that went past InvalidCookieLimit invalid session tokens in a window.");
    public static readonly Counter<long> MemoryStoreRefused = Meter.CreateCounter<long>("satchel.memory_store.refused", "{session}", "New sessions the memory store refused at its MaxSessions limit, every session held being a signed-in user's.");
    public static readonly Counter<long> MemoryStoreEvicted = Meter.CreateCounter<long>("satchel.memory_store.evicted", "{session}", "Anonymous sessions the memory store evicted, idle the longest first, to make room at its MaxSessions limit.");

    public static readonly Histogram<double> StoreDuration = Meter.CreateHistogram("satchel.store.operation.duration", "s",
        "How long the session store took per operation; failed ones carry error.type.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    static SatchelMetrics() =>
        Meter.CreateObservableUpDownCounter("satchel.session.active", ObserveLiveSessions, "{session}",
            "Sessions the store holds, for stores that can count them (ISessionCounter: the memory store).");

    /// <summary>
    /// Reports <paramref name="store"/>'s live sessions while it lives, when it can count them, and
    /// counts its expired sessions, once per store however many managers share it.
    /// </summary>
    public static void Observe(ISessionStore store)
    {
        if (store.GetCapability<ISessionCounter>() is not null) CountingStores.TryAdd(store, store.GetType().Name);
        if (store.GetCapability<ISessionExpiryEvents>() is { } expiry && ExpiryCounted.TryAdd(store, store))
            expiry.Expired += static _ => SessionsExpired.Add(1);
    }

    private static IEnumerable<Measurement<long>> ObserveLiveSessions()
    {
        foreach (var (store, name) in CountingStores)
        {
            if (store.GetCapability<ISessionCounter>() is { } counter)
                yield return new Measurement<long>(counter.LiveSessions, new KeyValuePair<string, object?>(StoreCall.StoreNameTag, name));
        }
    }
}
