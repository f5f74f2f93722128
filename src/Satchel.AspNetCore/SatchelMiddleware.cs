using System.Globalization;
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
/// commit ran as the body started, its first write fails). A request that fails (an unhandled
/// exception or a 5xx) saves nothing unless <see cref="SatchelAspNetCoreOptions.CommitOnServerError"/>
/// says so. The flow is one way: the middleware opens the session, hands the feature, the cookie
/// sink and the services swap what each needs, and makes the one commit.
/// </summary>
internal sealed class SatchelMiddleware(RequestDelegate next, SessionManager manager, SatchelAspNetCoreOptions options, IServiceProvider services)
{
    private static readonly Func<object, Task> CommitOnStarting = static async state =>
    {
        var feature = (SatchelSessionFeature)state;
        var response = feature.Response;
        try
        {
            await CommitAsync(feature).ConfigureAwait(false);
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
    private readonly EndpointSessionUse _endpoints = new();
    private readonly CookieConsent _consent = new(manager.Options, services.GetRequiredService<ILoggerFactory>().CreateLogger("Satchel"));
    private readonly AspNetCoreSessionImporter? _importer = services.GetService<AspNetCoreSessionImporter>();
    private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Satchel");
    private readonly IServiceScopeFactory _scopes = services.GetRequiredService<IServiceScopeFactory>();
    private int _sessionTakenWarned;

    private readonly string? _tokenHeader = manager.Options.TokenHeader;
    private readonly string _throttledRetryAfter = ((int)manager.Options.InvalidCookieWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The request's one commit, from whichever comes first: the end of the pipeline or the
    /// response starting. A 5xx saves nothing unless the app opted in; and not RequestAborted, so a
    /// client that went away does not lose what its request did.
    /// </summary>
    private static ValueTask CommitAsync(SatchelSessionFeature feature)
    {
        if (feature.Response.StatusCode >= 500 && !feature.CommitOnServerError) feature.Session.DiscardChanges();
        return feature.Session.CommitAsync(CancellationToken.None);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var cookies = context.Request.Headers.Cookie;
        var feature = new SatchelSessionFeature(context.Response, options.CommitOnServerError);
        var sink = new AspNetCoreCookieSink(context.Response, _consent, _endpoints);
        Session session;
        try
        {
            session = manager.Open(cookies.Count <= 1 ? cookies.ToString() : string.Join("; ", cookies.ToArray()), context.Request.IsHttps,
                context.Connection.RemoteIpAddress?.ToString(), sink, HeaderToken(context.Request));
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
        SessionServices? sessionServices = null;
        try
        {
            // A browser still holding an ASP.NET Core session cookie (a cheap text test first: most requests carry none).
            if (_importer is not null && cookies.ToString().Contains(_importer.CookieName, StringComparison.Ordinal))
            {
                session = await _importer.ImportAsync(context, session, manager,
                    cookie => manager.Open(cookie, context.Request.IsHttps, context.Connection.RemoteIpAddress?.ToString(), sink)).ConfigureAwait(false);
                feature.Session = session;
                SessionAdapter.Current = session;
            }
            var use = _endpoints.Of(context);
            if ((use & SessionUse.ReadOnly) != 0) session.MakeReadOnly();
            if ((use & SessionUse.Exclusive) != 0) exclusive = await session.AcquireExclusiveAsync(context.RequestAborted).ConfigureAwait(false);
            // An endpoint that takes a Session gets it from the feature, not a DI scope made for it.
            if ((use & SessionUse.Parameter) != 0) (sessionServices = new SessionServices(session)).Serve(context, _scopes);
            // Loaded without blocking a thread: for a Session parameter, for an endpoint seen using its
            // session unloaded, or for every one (LoadBeforeEndpoint); never where it loads lazily.
            if ((use & SessionUse.Lazy) == 0 && (options.LoadBeforeEndpoint || (use & (SessionUse.Parameter | SessionUse.Preload)) != 0))
                await session.LoadAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception) when (!options.CommitOnServerError)
            {
                session.DiscardChanges();   // half-done work never lands
                throw;
            }
            // ASP.NET Core's own UseSession() after UseSatchel() sets its session feature, then clears it:
            // HttpContext.Session was not Satchel's for the endpoint. Said once, loudly.
            if (context.Features.Get<ISessionFeature>() != feature && Interlocked.Exchange(ref _sessionTakenWarned, 1) == 0)
                Log.SessionTaken(_logger);
            if (!context.Response.HasStarted) await CommitAsync(feature).ConfigureAwait(false);
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
            sessionServices?.Restore(context);
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

    // The request's token header, when the app accepts one and the request carries it (empty included).
    private string? HeaderToken(HttpRequest request) =>
        _tokenHeader is not null && request.Headers.TryGetValue(_tokenHeader, out var value) ? value.ToString() : null;
}
