namespace Satchel.AspNetCore;

/// <summary>
/// What only ASP.NET Core's adapter does: authentication's sign-in and sign-out, loading before
/// endpoints, failed requests. Bound from the same configuration section as
/// <see cref="SatchelOptions"/> (<c>Satchel:RegenerateOnSignIn</c> and so on), then set by
/// <c>app.UseSatchel(o => …)</c>.
/// </summary>
public sealed class SatchelAspNetCoreOptions
{
    /// <summary>
    /// Whether ASP.NET Core authentication's sign-in rotates the session token, and its sign-out
    /// destroys the session (for cookie authentication schemes, ASP.NET Core Identity's included).
    /// Default <see langword="true"/>: an app cannot forget either, the mistake behind session
    /// fixation (Passport's CVE-2022-25896).
    /// </summary>
    public bool RegenerateOnSignIn { get; set; } = true;

    /// <summary>
    /// Whether every request's session loads before its endpoint, without blocking a thread.
    /// Default <see langword="false"/>: the session loads first for endpoints that take a
    /// <see cref="Session"/> parameter, and for an endpoint once one of its requests used the
    /// session before it loaded (<c>HttpContext.Session</c> without <c>LoadAsync</c>, as code
    /// written for ASP.NET Core's session does), which made a thread wait on the store (log
    /// event 6); elsewhere at its first use.
    /// Such waits matter on a network store (Redis, an <c>IDistributedCache</c>): on Linux the
    /// store's reply needs another pool thread, so many at once starve each other into timeouts.
    /// Turn this on to load first from every endpoint's first request, and for middleware that
    /// reads the session where no endpoint matched. The cost: one store read for each request with
    /// a cookie whose endpoint never uses the session. Endpoints marked <c>WithLazySession()</c>
    /// load at first use either way.
    /// </summary>
    public bool LoadBeforeEndpoint { get; set; }

    /// <summary>
    /// Whether a request that fails (an unhandled exception, or a 5xx status) still saves what it
    /// changed in the session. Default <see langword="false"/>: like Django, a failed request saves
    /// nothing and sends no new cookie, so half-done work never lands. A regeneration already
    /// done stays done.
    /// </summary>
    public bool CommitOnServerError { get; set; }
}
