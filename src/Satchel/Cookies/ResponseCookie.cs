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
    public readonly string Issue(SessionCookies cookies, string token, SessionMetadata metadata)
    {
        if (tokenHeader is not null) return cookies.KeyRing.Sign(token);
        TimeSpan? maxAge = null;
        if (metadata.Persistent)
        {
            var now = cookies.Time.GetUtcNow();
            maxAge = metadata.ExpiresAt(now) - now;
        }
        return SessionCookie.Build(cookies.Options, cookies.KeyRing.Sign(token), cookies.IsSecure(isHttps), maxAge);
    }

    /// <summary>
    /// The one decision about Set-Cookie, from where the session stands: issue a cookie naming
    /// <paramref name="identity"/> when the session is (or will be) stored and the browser does not
    /// hold that cookie already, holds it signed with a retired key, or its expiry moved
    /// (<paramref name="roll"/>); expire the browser's cookie when the session was destroyed; else
    /// send nothing. Nothing stored, no cookie.
    /// </summary>
    public static CookieDecision Decide(in RequestCookie request, SessionIdentity? identity, bool stored, bool roll, bool destroyed)
    {
        if (stored && identity is not null && (identity != request.Verified || roll || request.SignedWithRetiredKey)) return CookieDecision.Issue;
        return destroyed && request.Present ? CookieDecision.Expire : CookieDecision.None;
    }

    /// <summary>A cookie that makes the browser drop the one it holds.</summary>
    public readonly string Expire(SessionCookies cookies) => tokenHeader is null ? SessionCookie.Expired(cookies.Options, cookies.IsSecure(isHttps)) : "";

    /// <summary>
    /// Makes the response carry <paramref name="setCookie"/> (none when null) unless it already does.
    /// With <paramref name="tooLateIsFine"/>, a response already gone is no error: the browser keeps
    /// its old cookie, and a cookie naming nothing stored just starts a new session.
    /// </summary>
    public void Send(SessionCookies cookies, string? setCookie, bool tooLateIsFine)
    {
        if (sink is null || setCookie == _sent) return;
        try
        {
            if (tokenHeader is null) sink.Send(cookies.Name, setCookie);
            else sink.SendToken(tokenHeader, setCookie);
            _sent = setCookie;
        }
        catch (InvalidOperationException) when (tooLateIsFine)
        {
        }
    }
}

/// <summary>What a response does with the session cookie (<see cref="ResponseCookie.Decide"/>).</summary>
internal enum CookieDecision { None, Issue, Expire }
