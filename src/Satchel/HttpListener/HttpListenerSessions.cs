using System.Net;
using System.Runtime.CompilerServices;

namespace Satchel;

/// <summary>Sessions for <see cref="HttpListener"/> servers: the two-line adapter.</summary>
public static class HttpListenerSessions
{
    // One registry of saves under way per manager, kept beside it rather than inside it.
    private static readonly ConditionalWeakTable<SessionManager, PendingCommits> Pending = new();

    /// <summary>
    /// Starts the session of an <see cref="HttpListener"/> request and loads it. HttpListener has no
    /// hook before the response goes out, so the session's cookie goes into the response headers
    /// as soon as the session changes: change it before writing the body. It saves when disposed
    /// (<c>await using</c>) or on <see cref="Session.CommitAsync"/>, and a later request of the same
    /// session in this process waits (up to 5 seconds) for that save, so the browser's next request
    /// always sees it.
    /// <code>
    /// await using var session = await sessions.StartAsync(context);
    /// session["testValue"] = "A session variable";
    /// </code>
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    /// <exception cref="SessionThrottledException">The client is past the invalid-cookie limit and the app's hook refused it.</exception>
    public static async ValueTask<Session> StartAsync(this SessionManager manager, HttpListenerContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var pending = Pending.GetValue(manager, static _ => new PendingCommits());
        var session = manager.Open(request.Headers["Cookie"], request.IsSecureConnection, request.RemoteEndPoint?.Address.ToString(),
            new HttpListenerCookieSink(context.Response, pending.Begin()), manager.Options.TokenHeader is { } header ? request.Headers[header] : null);
        if (session.RequestKey() is { } key && !await pending.WaitForAsync(key, cancellationToken).ConfigureAwait(false))
            Log.PendingCommitTimedOut(manager.Runtime.Logger, key.Id);
        await session.LoadAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }
}
