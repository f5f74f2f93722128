namespace Satchel;

/// <summary>
/// The session cookie a response carries: builds the Set-Cookie value the session decided on and
/// sends it to the adapter's sink, once per change of mind. Held in a field of <see cref="Session"/>.
/// For a request that came with a token header (<paramref name="tokenHeader"/>), the same
/// decisions go out as that header instead: the signed token, or empty for an ended session.
/// </summary>
internal struct ResponseCookie(SessionCookieSink? sink, bool isHttps, string? tokenHeader)
{
    private string? _sent;

    /// <summary>The adapter's sink, or <see langword="null"/>.</summary>
    public readonly SessionCookieSink? Sink => sink;

    /// <summary>A cookie carrying <paramref name="token"/>: persistent (with Max-Age to the session's end) for a remember-me session.</summary>
    public readonly string Issue(SessionManager manager, string token, SessionMetadata metadata)
    {
        if (tokenHeader is not null) return manager.KeyRing.Sign(token);
        TimeSpan? maxAge = null;
        if (metadata.Persistent)
        {
            var now = manager.Time.GetUtcNow();
            maxAge = metadata.ExpiresAt(now) - now;
        }
        return SessionCookie.Build(manager.Options.Cookie, manager.KeyRing.Sign(token), manager.IsSecure(isHttps), maxAge);
    }

    /// <summary>A cookie that makes the browser drop the one it holds.</summary>
    public readonly string Expire(SessionManager manager) => tokenHeader is null ? manager.ExpiredCookie(isHttps) : "";

    /// <summary>
    /// Makes the response carry <paramref name="setCookie"/> (none when null) unless it already does.
    /// With <paramref name="tooLateIsFine"/>, a response already gone is no error: the browser keeps
    /// its old cookie, and a cookie naming nothing stored just starts a new session.
    /// </summary>
    public void Send(SessionManager manager, string? setCookie, bool tooLateIsFine)
    {
        if (sink is null || setCookie == _sent) return;
        try
        {
            if (tokenHeader is null) sink.Send(manager.CookieName, setCookie);
            else sink.SendToken(tokenHeader, setCookie);
            _sent = setCookie;
        }
        catch (InvalidOperationException) when (tooLateIsFine)
        {
        }
    }
}
