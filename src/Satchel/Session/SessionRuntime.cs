using Microsoft.Extensions.Logging;

namespace Satchel;

/// <summary>
/// What every session of one <see cref="SessionManager"/> works with, handed to each explicitly:
/// the options, the store (and its per-request form, for a store whose sessions travel with the
/// request), the clock and logger, the cookie, the limits, the failure policy, the touch memo, and
/// the events. The manager builds one and gives it to each session; nothing here reaches back to
/// the manager, so the session's folder depends on the folders below it only.
/// </summary>
internal sealed class SessionRuntime
{
    public SessionRuntime(SatchelOptions options, ISessionStore store, TimeProvider time, ILogger logger, SessionKeyRing keyRing)
    {
        Options = options;
        Store = store;
        Time = time;
        Logger = logger;
        StoreName = store.GetType().Name;
        RequestBound = store.GetCapability<IRequestBoundStore>();
        _broadcast = store.GetCapability<ISessionEndBroadcast>();
        Cookies = new SessionCookies(options.Cookie, keyRing, new InvalidCookieTracker(options, time, logger), time);
        Limits = new SessionLimits(options);
        Failures = new StoreFailureHandler(options.StoreFailurePolicy, StoreName, logger);
        Touches = new TouchMemo(time, options.TouchInterval);
    }

    public SatchelOptions Options { get; }

    public ISessionStore Store { get; }

    /// <summary>The store, when its sessions travel with the request (the cookie store); null for a server-side store.</summary>
    public IRequestBoundStore? RequestBound { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>The store's type name, for logs, metrics and spans.</summary>
    public string StoreName { get; }

    public SessionCookies Cookies { get; }

    public SessionLimits Limits { get; }

    public StoreFailureHandler Failures { get; }

    public TouchMemo Touches { get; }

    /// <summary>A session ended here, or in another process when the store carries notices (see <see cref="SessionManager.SessionEnded"/>).</summary>
    public event Action<SessionEvent>? Ended;

    // Notices of ended sessions between processes: "<process> <kind> <ended id>".
    private readonly ISessionEndBroadcast? _broadcast;   // the store's notices between processes, when it carries them
    private readonly string _process = Guid.NewGuid().ToString("N");
    private int _listening;

    /// <summary>Starts hearing the sessions other processes ended, once something here listens for ends.</summary>
    public void ListenElsewhere()
    {
        if (_broadcast is not { } broadcast || Interlocked.Exchange(ref _listening, 1) == 1) return;
        broadcast.Received += notice =>
        {
            var parts = notice.Split(' ');
            if (parts.Length != 3 || parts[0] == _process || !Enum.TryParse<SessionEventKind>(parts[1], out var kind)) return;
            var ended = kind == SessionEventKind.Regenerated
                ? new SessionEvent(kind, "", parts[2], null, Time.GetUtcNow())
                : new SessionEvent(kind, parts[2], null, null, Time.GetUtcNow());
            try
            {
                Ended?.Invoke(ended);
            }
            catch (Exception ex)
            {
                Log.EventHandlerFailed(Logger, ex, kind, parts[2]);
            }
        };
    }

    // Tells the other processes, without holding up the request: a notice lost is a connection
    // that sees no session at its next call instead of closing at once. Sent whether or not this
    // process listens (an API process may sign out a user whose live page another process serves);
    // a sign-out or sign-in is rare beside reads, and one PUBLISH nobody hears costs Redis little.
    private void Broadcast(SessionEventKind kind, string endedId)
    {
        if (_broadcast is not { } broadcast) return;
        _ = Publish(broadcast, $"{_process} {kind} {endedId}");

        async Task Publish(ISessionEndBroadcast to, string notice)
        {
            try
            {
                await to.PublishAsync(notice).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.StoreFailed(Logger, ex, StoreName, "broadcast", endedId);
            }
        }
    }

    /// <summary>The metadata of a session created now: the configured idle and absolute lifetimes.</summary>
    public SessionMetadata NewMetadata()
    {
        var now = Time.GetUtcNow();
        return new SessionMetadata(now, Options.IdleTimeout, now + Options.AbsoluteTimeout);
    }

    /// <summary>
    /// Counts and reports one event of a session's life: the metric (expiry is counted per store, by
    /// <see cref="SatchelMetrics.Observe"/>), and the application's handler when it set one. A
    /// handler's failure is logged, never thrown at the request.
    /// </summary>
    public ValueTask RaiseAsync(SessionEventKind kind, SessionKey key, string? userId, SessionKey? previous = null, DateTimeOffset? time = null)
    {
        (kind switch
        {
            SessionEventKind.Created => SatchelMetrics.SessionsCreated,
            SessionEventKind.Regenerated => SatchelMetrics.SessionsRegenerated,
            SessionEventKind.Destroyed => SatchelMetrics.SessionsDestroyed,
            _ => null,
        })?.Add(1);
        SessionEvent? raised = null;
        if (kind != SessionEventKind.Created && Ended is { } ended)
        {
            raised = new SessionEvent(kind, key.Id, previous?.Id, userId, time ?? Time.GetUtcNow());
            try
            {
                ended(raised);
            }
            catch (Exception ex)
            {
                Log.EventHandlerFailed(Logger, ex, kind, raised.Id);
            }
        }
        if (kind is SessionEventKind.Destroyed or SessionEventKind.Regenerated) Broadcast(kind, previous?.Id ?? key.Id);
        if (Options.Events.For(kind) is not { } handler) return ValueTask.CompletedTask;
        raised ??= new SessionEvent(kind, key.Id, previous?.Id, userId, time ?? Time.GetUtcNow());
        try
        {
            var pending = handler(raised);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitHandlerAsync(pending, raised);
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(Logger, ex, kind, raised.Id);
            return ValueTask.CompletedTask;
        }
    }

    private async ValueTask AwaitHandlerAsync(ValueTask pending, SessionEvent raised)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(Logger, ex, raised.Kind, raised.Id);
        }
    }
}
