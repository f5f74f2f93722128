namespace Satchel.Adapters;

/// <summary>
/// What a server adapter does to a request's session, and nobody else: open it at the door, make
/// it the request's current session, declare it read-only, drop a failed request's changes, and
/// move raw JSON for byte APIs such as <c>ISession</c>. Extension methods, visible only where
/// <c>Satchel.Adapters</c> is imported, so none of it shows on the types handlers use.
/// The response side is <see cref="SessionCookieSink"/>; docs/adapters.md walks through both.
/// </summary>
public static class SessionAdapter
{
    private static readonly AsyncLocal<Session?> CurrentSlot = new();

    /// <summary>
    /// The session of the request in progress, behind the <see cref="Session"/> service that
    /// <c>AddSatchel()</c> registers. The adapter sets it in the async method that runs the
    /// request, after <see cref="Open"/>; it flows to everything the request awaits.
    /// <see langword="null"/> outside a request an adapter opened.
    /// </summary>
    public static Session? Current
    {
        get => CurrentSlot.Value;
        set => CurrentSlot.Value = value;
    }

    /// <summary>
    /// Opens the session of one request. The request's cookie is read, verified and counted here,
    /// once; nothing is read from the store until the session is used. The adapter commits the
    /// session before its response starts (<see cref="Session.CommitAsync"/>), and the commit sends
    /// the cookie to <paramref name="cookieSink"/>.
    /// </summary>
    /// <param name="manager">The application's session manager.</param>
    /// <param name="cookieHeader">The request's raw Cookie header (several joined with "; "), or null.</param>
    /// <param name="isHttps">Whether the request came over HTTPS (decides the Secure attribute by default).</param>
    /// <param name="clientAddress">The client's address, for spotting token guessing (<see cref="SatchelOptions.InvalidCookieLimit"/>); null when unknown.</param>
    /// <param name="cookieSink">Where the session sends its Set-Cookie header (or its token header); null for none.</param>
    /// <param name="headerToken">
    /// The value of the request's <see cref="SatchelOptions.TokenHeader"/> when the request carried
    /// that header (empty included), else null: a request with it uses the header, not the cookie.
    /// </param>
    /// <exception cref="SessionThrottledException">The client is past the invalid-cookie limit and <see cref="SatchelOptions.OnInvalidCookieBurst"/> refused it (429).</exception>
    public static Session Open(this SessionManager manager, string? cookieHeader, bool isHttps, string? clientAddress = null, SessionCookieSink? cookieSink = null, string? headerToken = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return new(manager.Runtime, cookieHeader, isHttps, clientAddress, cookieSink, manager.Options.TokenHeader is null ? null : headerToken);
    }

    /// <summary>
    /// A Set-Cookie value that makes the browser drop its session cookie: for an adapter that
    /// refuses a request before it has a session (429 after <see cref="SessionThrottledException"/>),
    /// so a browser holding a stale cookie is not refused again for it.
    /// </summary>
    public static string ExpiredCookie(this SessionManager manager, bool isHttps)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return SessionCookie.Expired(manager.Options.Cookie, manager.Runtime.Cookies.IsSecure(isHttps));
    }

    /// <summary>
    /// The store key of the session the request's cookie (or token header) names, when it verified;
    /// <see langword="null"/> for a request without a valid one. Known without touching the store.
    /// </summary>
    public static SessionKey? RequestKey(this Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.RequestKey;
    }

    /// <summary>Makes the session read-only for the rest of the request: writes throw. For endpoints that declared a read-only session.</summary>
    public static void MakeReadOnly(this Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.MakeReadOnly();
    }

    /// <summary>
    /// Drops what this request changed: the commit then writes nothing and sends no new cookie.
    /// ASP.NET Core's adapter does it for a request that failed (an unhandled exception or a 5xx),
    /// unless told otherwise. A regeneration already done stays done, since the session lives
    /// under its new token only.
    /// </summary>
    public static void DiscardChanges(this Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.DiscardChanges();
    }

    /// <summary>The raw UTF-8 JSON of <paramref name="key"/>, read in place (for byte APIs such as <c>ISession</c>); <see langword="false"/> when the session lacks it.</summary>
    public static bool TryGetJson(this Session session, string key, out ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.TryGetJson(key, out utf8Json);
    }

    /// <summary>Stores raw UTF-8 JSON under <paramref name="key"/> (for byte APIs such as <c>ISession</c>); the bytes are copied.</summary>
    /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not one JSON value.</exception>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    public static void SetJson(this Session session, string key, ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(session);
        SessionJson.EnsureOneValue(key, utf8Json);
        session.SetOwnedJson(key, utf8Json.ToArray());
    }
}
