using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Satchel.Redis.Tests.Support;

/// <summary>
/// Counts the commands an app's connection sends while an action runs (StackExchange.Redis
/// profiling): the round trips one request costs, on redis-server and Garnet alike. What scripts
/// run inside the server is not a round trip and does not show. The connection's own upkeep
/// (heartbeats, topology checks) is left out.
/// </summary>
public sealed class RoundTripRecorder
{
    private static readonly HashSet<string> Upkeep = new(StringComparer.OrdinalIgnoreCase) { "PING", "ECHO", "INFO", "CLUSTER", "CLIENT", "CONFIG", "SUBSCRIBE", "UNSUBSCRIBE", "SCRIPT" };
    private ProfilingSession? _session;

    public RoundTripRecorder(IConnectionMultiplexer connection) => connection.RegisterProfiler(() => _session);

    public async Task<List<string>> CaptureAsync(Func<Task> action)
    {
        var session = new ProfilingSession();
        _session = session;
        try
        {
            await action();
        }
        finally
        {
            _session = null;
        }
        return session.FinishProfiling().Select(c => c.Command.ToUpperInvariant()).Where(c => !Upkeep.Contains(c)).ToList();
    }
}
