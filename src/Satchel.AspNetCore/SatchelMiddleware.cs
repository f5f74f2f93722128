using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Satchel.AspNetCore;

/// <summary>
/// Gives each request its Satchel session and commits it before the response starts. A store
/// failure under <see cref="StoreFailurePolicy.Fail"/> becomes 503, and a session ended by another
/// request while this one changed it 409, with no body: the handler's output is dropped (when the
/// commit ran as the body started, its first write fails). A request that fails (an unhandled exception or a 5xx) saves nothing unless
/// <see cref="SatchelOptions.CommitOnServerError"/> says so.
/// </summary>
internal sealed class SatchelMiddleware(RequestDelegate next, SessionManager manager, IServiceProvider services)
{
    private static readonly Func<object, Task> CommitOnStarting = static async state =>
    {
        var feature = (SatchelSessionFeature)state;
        var response = feature.Response;
        try
        {
            await feature.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SessionStoreException or SessionEndedException)
        {
            // The handler's first write is on its way: the refusal becomes the response, and the
            // Content-Length of 0 makes that write fail instead of sending the handler's body with
            // it, so a request whose session was not saved never looks like a success.
            feature.Refusal = ex;
            Refuse(response, ex);
            response.ContentLength = 0;
        }
    };
    private readonly ConcurrentDictionary<Endpoint, SessionUse> _sessionUse = new();
    private readonly AspNetCoreSessionImporter? _importer = services.GetService<AspNetCoreSessionImporter>();
    private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Satchel");
    private readonly IServiceScopeFactory _scopes = services.GetRequiredService<IServiceScopeFactory>();
    private int _sessionTakenWarned;
    private int _withheldWarned;
    private int _proxyWarned;
    private readonly bool _secureFollowsRequest = manager.Options.Cookie.Secure == SessionCookieSecurePolicy.SameAsRequest && !manager.Options.Cookie.UseHostPrefix;

    private readonly string? _tokenHeader = manager.Options.TokenHeader;
    private readonly bool _essential = manager.Options.Cookie.IsEssential;
    private readonly bool _loadBeforeEndpoint = manager.Options.LoadBeforeEndpoint;
    private readonly string _throttledRetryAfter = ((int)manager.Options.InvalidCookieWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether a response may carry a cookie that stores the session, asked only when one is about
    /// to go out (not per request). A non-essential cookie waits for consent under UseCookiePolicy
    /// with CheckConsentNeeded, as cookies appended through Response.Cookies do (Satchel writes the
    /// header itself). Behind a TLS-terminating proxy without UseForwardedHeaders(), the request
    /// looks like http and the cookie would go out without Secure (express-session users know this
    /// one). Each is said once.
    /// </summary>
    internal bool MaySetCookie(HttpContext context)
    {
        if (_secureFollowsRequest && !context.Request.IsHttps && _proxyWarned == 0
            && string.Equals(context.Request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase)
            && Interlocked.Exchange(ref _proxyWarned, 1) == 0)
            Log.ForwardedHttpsIgnored(_logger);
        if (_essential || context.Features.Get<ITrackingConsentFeature>() is not { IsConsentNeeded: true, HasConsent: false }) return true;
        if (Interlocked.Exchange(ref _withheldWarned, 1) == 0) Log.CookieWithheld(_logger);
        return false;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var cookies = context.Request.Headers.Cookie;
        var feature = new SatchelSessionFeature(context.Response, manager.Options.CommitOnServerError, this);
        Session session;
        try
        {
            session = manager.Open(cookies.Count <= 1 ? cookies.ToString() : string.Join("; ", cookies.ToArray()), context.Request.IsHttps,
                context.Connection.RemoteIpAddress?.ToString(), feature, HeaderToken(context.Request));
        }
        catch (SessionThrottledException)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = _throttledRetryAfter;
            // The invalid cookie goes, so a user behind the address is not refused again for a stale one.
            context.Response.Headers.SetCookie = manager.ExpiredCookie(context.Request.IsHttps);
            return;
        }
        feature.Session = session;
        context.Features.Set<ISessionFeature>(feature);
        SessionAdapter.Current = session;
        context.Response.OnStarting(CommitOnStarting, feature);

        IAsyncDisposable? exclusive = null;
        try
        {
            // A browser still holding an ASP.NET Core session cookie (a cheap text test first: most requests carry none).
            if (_importer is not null && cookies.ToString().Contains(_importer.CookieName, StringComparison.Ordinal))
            {
                session = await _importer.ImportAsync(context, session, manager,
                    cookie => manager.Open(cookie, context.Request.IsHttps, context.Connection.RemoteIpAddress?.ToString(), feature)).ConfigureAwait(false);
                feature.Session = session;
                SessionAdapter.Current = session;
            }
            var use = context.GetEndpoint() is { } endpoint ? SessionUseOf(endpoint) : SessionUse.None;
            if ((use & SessionUse.ReadOnly) != 0) session.MakeReadOnly();
            if ((use & SessionUse.Exclusive) != 0) exclusive = await session.AcquireExclusiveAsync(context.RequestAborted).ConfigureAwait(false);
            // An endpoint that takes a Session gets it from the feature, not a DI scope made for it.
            if ((use & SessionUse.Parameter) != 0) feature.ServeServices(context, _scopes);
            // Loaded without blocking a thread: for a Session parameter, for an endpoint seen using its
            // session unloaded, or for every one (LoadBeforeEndpoint); never where it loads lazily.
            if ((use & SessionUse.Lazy) == 0 && (_loadBeforeEndpoint || (use & (SessionUse.Parameter | SessionUse.Preload)) != 0))
                await session.LoadAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception) when (!manager.Options.CommitOnServerError)
            {
                session.DiscardChanges();   // half-done work never lands
                throw;
            }
            // ASP.NET Core's own UseSession() after UseSatchel() sets its session feature, then clears it:
            // HttpContext.Session was not Satchel's for the endpoint. Said once, loudly.
            if (context.Features.Get<ISessionFeature>() != feature && Interlocked.Exchange(ref _sessionTakenWarned, 1) == 0)
                Log.SessionTaken(_logger);
            if (!context.Response.HasStarted) await feature.CommitAsync().ConfigureAwait(false);
        }
        catch (SessionLockTimeoutException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
        }
        catch (Exception ex) when (ex is SessionStoreException or SessionEndedException && !context.Response.HasStarted)
        {
            // The session already logged the store's own error, or the end of its session.
            context.Response.Clear();
            Refuse(context.Response, ex);
        }
        catch (Exception) when (feature.Refusal is { } refusal && !context.Response.HasStarted)
        {
            // The handler's write failed because its commit was refused when the response started.
            context.Response.Clear();
            Refuse(context.Response, refusal);
        }
        finally
        {
            // Released only now: the commit, in OnStarting or above, is done.
            if (exclusive is not null) await exclusive.DisposeAsync().ConfigureAwait(false);
            // As ASP.NET Core's own session does: the feature is the middleware's, for its requests only.
            context.Features.Set<ISessionFeature>(null);
            feature.RestoreServices(context);
        }
    }

    // A commit the session could not make: 503 (retry later) when the store failed, 409 when the
    // session ended in another request (sign-out, sign-in) while this one changed it.
    private static void Refuse(HttpResponse response, Exception refusal)
    {
        if (refusal is SessionEndedException)
        {
            response.StatusCode = StatusCodes.Status409Conflict;
            return;
        }
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = "5";
    }

    /// <summary>
    /// The request is about to load its session with a thread waiting on the store: its endpoint
    /// used the session before anything loaded it (<c>HttpContext.Session</c> without
    /// <c>LoadAsync</c>, as code written for ASP.NET Core's session does). From now on the
    /// endpoint's session loads before it, with await: many such waits at once would starve the
    /// pool, since on Linux the store's reply needs a pool thread too. Marked before this request
    /// waits, so requests arriving meanwhile already load first; not where it asked to load lazily.
    /// </summary>
    internal void LoadFirst(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint) return;
        var use = SessionUseOf(endpoint);
        if ((use & (SessionUse.Lazy | SessionUse.Preload)) == 0) _sessionUse[endpoint] = use | SessionUse.Preload;
    }

    // The request's token header, when the app accepts one and the request carries it (empty included).
    private string? HeaderToken(HttpRequest request) =>
        _tokenHeader is not null && request.Headers.TryGetValue(_tokenHeader, out var value) ? value.ToString() : null;

    private SessionUse SessionUseOf(Endpoint endpoint) =>
        _sessionUse.GetOrAdd(endpoint, static e =>
            (e.Metadata.GetMetadata<MethodInfo>()?.GetParameters().Any(p => p.ParameterType == typeof(Session)) == true ? SessionUse.Parameter : SessionUse.None)
            | (e.Metadata.GetMetadata<LazySessionAttribute>() is not null ? SessionUse.Lazy : SessionUse.None)
            | (e.Metadata.GetMetadata<ExclusiveSessionAttribute>() is not null ? SessionUse.Exclusive : SessionUse.None)
            | (e.Metadata.GetMetadata<ReadOnlySessionAttribute>() is not null ? SessionUse.ReadOnly : SessionUse.None));

    [Flags]
    private enum SessionUse
    {
        None = 0,
        Parameter = 1,
        Exclusive = 2,
        ReadOnly = 4,
        Lazy = 8,
        Preload = 16,   // learned: the endpoint uses its session without loading it first
    }
}
