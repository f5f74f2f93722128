using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;

namespace Satchel.AspNetCore;

/// <summary>
/// Gives each hub invocation the caller's Satchel session: opened from the cookie of the
/// connection's HTTP request, loaded as the store holds it now (not a copy taken at connect), and
/// its changes committed as one change set when the method returns; dropped when it throws. A hub
/// cannot set a cookie, so the session refuses what would need one (<see cref="HubCookieSink"/>).
/// Satchel's own failures reach the caller as <see cref="HubException"/>s that say what happened.
/// </summary>
internal sealed class SatchelHubFilter(SessionManager manager, LiveConnections connections) : IHubFilter
{
    private const string SessionIdItem = "Satchel.SessionId";
    private static readonly AsyncLocal<Session?> Invocation = new();

    /// <summary>The session of the hub invocation in progress, or <see langword="null"/> outside one.</summary>
    public static Session? Current => Invocation.Value;

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // Blazor Server's own hub carries every UI event of a circuit: no session load for those.
        if (IsFrameworkHub(invocation.Hub)) return await next(invocation).ConfigureAwait(false);
        var previous = SessionAdapter.Current;
        var session = Open(invocation.Context);
        SessionAdapter.Current = Invocation.Value = session;
        try
        {
            if (session is null) return await next(invocation).ConfigureAwait(false);
            try
            {
                await session.LoadAsync(invocation.Context.ConnectionAborted).ConfigureAwait(false);
                var result = await next(invocation).ConfigureAwait(false);
                await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex) when (ex is SessionStoreException or SessionEndedException or SessionLimitExceededException or SessionLockTimeoutException)
            {
                // The store's own error is logged by the session; the caller learns what happened, not how.
                throw new HubException(ex switch
                {
                    SessionEndedException => "The session ended (signed out elsewhere) before this call's changes were saved.",
                    SessionLimitExceededException => ex.Message,
                    _ => "The session store is unavailable; try again.",
                }, ex);
            }
        }
        finally
        {
            SessionAdapter.Current = previous;
            Invocation.Value = null;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // The cookie is verified now, without the store: a forged or expired one binds nothing.
        // Blazor's circuits are not covered yet (docs/realtime.md).
        if (!IsFrameworkHub(context.Hub) && Open(context.Context)?.RequestKey() is { } key)
        {
            context.Context.Items[SessionIdItem] = key.Id;
            connections.Add(key.Id, context.Context);
        }
        await next(context).ConfigureAwait(false);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.TryGetValue(SessionIdItem, out var id) && id is string sessionId) connections.Remove(sessionId, context.Context);
        await next(context, exception).ConfigureAwait(false);
    }

    private static bool IsFrameworkHub(Hub hub) => hub.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) == true;

    // The session the connection's HTTP request carried (null without one: an in-process connection).
    private Session? Open(HubCallerContext caller)
    {
        if (caller.GetHttpContext() is not { } http) return null;
        var cookies = http.Request.Headers.Cookie;
        try
        {
            return manager.Open(cookies.Count <= 1 ? cookies.ToString() : string.Join("; ", cookies.ToArray()), http.Request.IsHttps,
                http.Connection.RemoteIpAddress?.ToString(), HubCookieSink.Instance);
        }
        catch (SessionThrottledException ex)
        {
            throw new HubException("Too many invalid session cookies from this address; try again later.", ex);
        }
    }
}
