using System.Diagnostics.Metrics;

namespace Satchel;

/// <summary>Counters under the meter <c>Satchel</c> (OpenTelemetry: <c>AddMeter("Satchel")</c>).</summary>
internal static class SatchelMetrics
{
    public const string MeterName = "Satchel";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> SessionsCreated = Meter.CreateCounter<long>("satchel.sessions.created", description: "Sessions created.");
    public static readonly Counter<long> CookiesRejected = Meter.CreateCounter<long>("satchel.cookies.rejected", description: "Session cookies that were malformed, wrongly signed or unknown to the store.");
    public static readonly Counter<long> InvalidCookieBursts = Meter.CreateCounter<long>("satchel.cookies.bursts", description: "Clients that went past InvalidCookieLimit invalid session cookies in a window.");
    public static readonly Counter<long> MemoryStoreRefused = Meter.CreateCounter<long>("satchel.memory.refused", description: "New sessions the memory store refused at its MaxSessions limit.");
    public static readonly Counter<long> StoreFailures = Meter.CreateCounter<long>("satchel.store.failures", description: "Store operations that failed.");
}
