using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Satchel.AspNetCore;

/// <summary>
/// The hub connections of this process, by the Id of the session their cookie named when they
/// connected, so a session that ends here (<see cref="SessionManager.SessionEnded"/>) closes them.
/// </summary>
internal sealed class LiveConnections : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> _bySession = new(StringComparer.Ordinal);
    private readonly SessionManager _manager;
    private readonly ILogger _logger;
    private readonly bool _close;

    public LiveConnections(SessionManager manager, IOptions<SatchelHubOptions> options, ILoggerFactory loggers)
    {
        _manager = manager;
        _logger = loggers.CreateLogger("Satchel");
        _close = options.Value.CloseOnSessionEnd;
        if (_close) manager.SessionEnded += OnEnded;
    }

    public void Add(string sessionId, HubCallerContext connection)
    {
        if (!_close) return;
        _bySession.GetOrAdd(sessionId, static _ => new(StringComparer.Ordinal))[connection.ConnectionId] = connection;
    }

    public void Remove(string sessionId, HubCallerContext connection)
    {
        if (!_bySession.TryGetValue(sessionId, out var connections)) return;
        connections.TryRemove(connection.ConnectionId, out _);
        if (connections.IsEmpty) _bySession.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, HubCallerContext>>(sessionId, connections));
    }

    /// <summary>Connections now open for the session <paramref name="sessionId"/> (for tests and diagnostics).</summary>
    public int CountFor(string sessionId) => _bySession.TryGetValue(sessionId, out var connections) ? connections.Count : 0;

    private void OnEnded(SessionEvent ended)
    {
        var id = ended.Kind == SessionEventKind.Regenerated ? ended.PreviousId : ended.Id;
        if (id is null || !_bySession.TryRemove(id, out var connections)) return;
        Log.LiveConnectionsClosed(_logger, connections.Count, id, ended.Kind);   // before the close, which the client may see at once
        foreach (var connection in connections.Values) connection.Abort();
    }

    public void Dispose()
    {
        if (_close) _manager.SessionEnded -= OnEnded;
    }
}
