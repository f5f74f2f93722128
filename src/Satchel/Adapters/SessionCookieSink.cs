namespace Satchel.Adapters;

/// <summary>
/// Where a session sends its cookie, and the adapter's say in the request: a server adapter derives
/// from it with three members over its server's response headers; the rules live here, once. Satchel sends the cookie when the session
/// commits — in ASP.NET Core before the response starts — and replaces only its own
/// <c>Set-Cookie</c>, leaving the application's. A response that carries the session cookie also
/// gets <c>Cache-Control: no-store</c> and <c>Vary: Cookie</c>, so no cache hands it to someone else.
/// </summary>
public abstract class SessionCookieSink : IResponseCookies
{
    /// <summary>Whether the response has started, so its headers can no longer change.</summary>
    protected abstract bool HasStarted { get; }

    internal bool IsStarted => HasStarted;

    bool IResponseCookies.HasStarted => HasStarted;

    void IResponseCookies.Send(string cookieName, string setCookieHeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(cookieName);
        ArgumentNullException.ThrowIfNull(setCookieHeader);
        Send(cookieName, setCookieHeader);
    }

    /// <summary>The values of a response header (none: an empty array).</summary>
    protected abstract string[] GetHeader(string name);

    /// <summary>Replaces a response header's values (an empty array removes it).</summary>
    protected abstract void SetHeader(string name, string[] values);

    /// <summary>
    /// Whether the response may carry the session's cookie <paramref name="cookieName"/> (one that
    /// stores something; expiring one is always allowed). An adapter overrides it for its server's
    /// cookie consent, as ASP.NET Core's does for <c>UseCookiePolicy</c>. Default: always.
    /// </summary>
    protected virtual bool MaySetCookie(string cookieName) => true;

    /// <summary>
    /// Called when a value's first use is about to load the session with this thread waiting on the
    /// store (nothing loaded it first). An adapter can load first from then on: ASP.NET Core's
    /// does, for the request's endpoint. Default: nothing.
    /// </summary>
    protected virtual void OnSynchronousLoad() { }

    internal void SynchronousLoad() => OnSynchronousLoad();

    /// <summary>
    /// Whether this server's response can go out before the session commits: a server with no
    /// hook before its response starts (HttpListener). The session then sends its cookie as soon
    /// as it changes, refuses a change once the response has started, and reports each change
    /// (<see cref="OnChanged"/>) and its commit (<see cref="OnCommitted"/>), so the adapter can hold
    /// the browser's next request until the save is done. Default: <see langword="false"/>, the
    /// cookie goes out once, at the commit.
    /// </summary>
    protected virtual bool SendsEarly => false;

    /// <summary>With <see cref="SendsEarly"/>: the request changed the session stored under <paramref name="key"/>, so its commit will write there.</summary>
    protected virtual void OnChanged(SessionKey key) { }

    /// <summary>With <see cref="SendsEarly"/>: the session's commit is over (saved, or failed under the store failure policy).</summary>
    protected virtual void OnCommitted() { }

    internal bool IsEarly => SendsEarly;

    /// <summary>
    /// Whether this unit of work can send a cookie at all. A SignalR hub invocation or a Blazor
    /// circuit event has no HTTP response: it can read and change the session the browser's cookie
    /// names, but not start one, give it a new token or make it persistent. The session refuses
    /// those at the call, with a message that says to do them on an HTTP request. Default: <see langword="true"/>.
    /// </summary>
    protected virtual bool CanSendCookie => true;

    internal bool IsCookieless => !CanSendCookie;

    internal void Changed(SessionKey key) => OnChanged(key);

    internal void Committed() => OnCommitted();

    /// <summary>
    /// Makes the response carry <paramref name="setCookieHeader"/> as the session's cookie, or no
    /// session cookie when <see langword="null"/>. <paramref name="cookieName"/> tells Satchel's own
    /// <c>Set-Cookie</c> from the application's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has already started.</exception>
    internal void Send(string cookieName, string? setCookieHeader)
    {
        if (HasStarted)
            throw new InvalidOperationException("The response has already started, so the session cookie can no longer be sent. Change the session before writing the response body.");
        if (setCookieHeader is not null && !IsExpiry(setCookieHeader) && !MaySetCookie(cookieName)) setCookieHeader = null;
        var current = GetHeader("Set-Cookie");
        var kept = new List<string>(current.Length + 1);
        foreach (var value in current)
        {
            if (!IsSessionCookie(value, cookieName)) kept.Add(value);
        }
        if (setCookieHeader is not null)
        {
            kept.Add(setCookieHeader);
            SetHeader("Cache-Control", ["no-store"]);
            var vary = GetHeader("Vary");
            if (!vary.Any(v => v.Contains("Cookie", StringComparison.OrdinalIgnoreCase))) SetHeader("Vary", [.. vary, "Cookie"]);
        }
        SetHeader("Set-Cookie", [.. kept]);
    }

    /// <summary>
    /// Makes the response carry the session token in <paramref name="headerName"/> (empty: the
    /// session ended), or no such header when <see langword="null"/>. Never cached: it is a credential.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has already started.</exception>
    internal void SendToken(string headerName, string? token)
    {
        if (HasStarted)
            throw new InvalidOperationException("The response has already started, so the session token can no longer be sent. Change the session before writing the response body.");
        SetHeader(headerName, token is null ? [] : [token]);
        if (token is not null) SetHeader("Cache-Control", ["no-store"]);
    }

    private static bool IsExpiry(string setCookie) => setCookie.Contains("; Max-Age=0;", StringComparison.Ordinal);

    private static bool IsSessionCookie(string setCookie, string cookieName) =>
        setCookie.Length > cookieName.Length && setCookie[cookieName.Length] == '=' && setCookie.StartsWith(cookieName, StringComparison.Ordinal);
}
