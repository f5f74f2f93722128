using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Satchel.Bench;

/// <summary>
/// --allocations true: samples the runtime's AllocationTick events (one per ~100 KB allocated) by
/// type and prints the top types when the app stops, so the types a request allocates most of
/// show without a profiler. The share of samples is the share of bytes allocated. Samples start
/// after the first 15 s, when the JIT's tiering is done (tier-0 code boxes what tier 1 does not).
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private readonly long _from = Environment.TickCount64 + 15_000;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1 /* GC */);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (Environment.TickCount64 < _from || e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
        var type = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    public void Print(TextWriter output)
    {
        var total = _bytes.Values.Sum();
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(40))
            output.WriteLine($"{100.0 * bytes / total,6:F1} %  {type}");
    }
}
