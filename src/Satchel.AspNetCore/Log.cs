using Microsoft.Extensions.Logging;

namespace Satchel.AspNetCore;

/// <summary>
/// Every log message of the ASP.NET Core adapter, category <c>Satchel</c>, with its stable event
/// id: 401–405 importing ASP.NET Core sessions, 501–505 the middleware and sign-in rotation
/// (docs/observability.md lists them). The core's own are 1–15 (its <c>Log</c>), SQLite's 301–302.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Imported {Count} values of an ASP.NET Core session into Satchel session {SessionId}")]
    public static partial void Imported(ILogger logger, int count, string sessionId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "An ASP.NET Core session cookie did not unprotect (forged, or Data Protection keys differ from the old app's); nothing imported")]
    public static partial void UnprotectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Reading an ASP.NET Core session from the distributed cache failed; nothing imported this time")]
    public static partial void CacheFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "An ASP.NET Core session entry is not in the format Satchel reads (revision 2); nothing imported")]
    public static partial void Unreadable(ILogger logger);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "A browser sent an ASP.NET Core session cookie whose entry is not in the distributed cache: it expired, or the old app kept sessions in its own memory (AddDistributedMemoryCache, ASP.NET Core's default), which died with it and cannot be carried over. Said once; more such cookies are not logged")]
    public static partial void EntryMissing(ILogger logger);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "HttpContext.Session was replaced after UseSatchel(): ASP.NET Core's UseSession() (or another session middleware) runs later in the pipeline and serves its own session to the endpoints. Remove app.UseSession() and services.AddSession().")]
    public static partial void SessionTaken(ILogger logger);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "services.AddSession() is registered beside Satchel. Satchel serves HttpContext.Session; remove AddSession() and UseSession(), or ASP.NET Core's session takes HttpContext.Session back wherever UseSession() runs after UseSatchel().")]
    public static partial void AspNetCoreSessionRegistered(ILogger logger);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "The cookie policy withheld the session cookie: consent is needed and the user has not given it, and Satchel:Cookie:IsEssential is false. Sessions start only after consent; set IsEssential for sessions the app needs (sign-in, cart).")]
    public static partial void CookieWithheld(ILogger logger);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "A request arrived over http with X-Forwarded-Proto: https, so the session cookie goes out without Secure. Behind a TLS-terminating proxy, add app.UseForwardedHeaders() (with the proxy among KnownProxies/KnownNetworks) before UseSatchel(), or set Satchel:Cookie:Secure to Always.")]
    public static partial void ForwardedHttpsIgnored(ILogger logger);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Authentication scheme {Scheme} takes its events from the service {EventsType} (EventsType), so Satchel cannot rotate the session at its sign-in. Call 'await context.HttpContext.GetSession().RegenerateAsync()' in its SigningIn and 'GetSession().Destroy()' in its SigningOut.")]
    public static partial void EventsTypeNotHooked(ILogger logger, string scheme, string eventsType);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Closed {Count} live connections of session {SessionId}: it ended ({Kind})")]
    public static partial void LiveConnectionsClosed(ILogger logger, int count, string sessionId, SessionEventKind kind);
}
