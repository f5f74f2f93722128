using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Satchel.AspNetCore;

/// <summary>
/// The request's Satchel session as ASP.NET Core features: <see cref="ISessionFeature"/> (so
/// <c>HttpContext.Session</c> works) and the cookie sink writing to the response. One object per
/// request for both.
/// </summary>
/// <param name="response">The request's response.</param>
/// <param name="commitOnServerError">Whether a 5xx response still saves the session (<see cref="SatchelOptions.CommitOnServerError"/>).</param>
/// <param name="middleware">The middleware, which decides whether a storing cookie may go out (consent, and a proxy warning).</param>
internal sealed partial class SatchelSessionFeature(HttpResponse response, bool commitOnServerError, SatchelMiddleware middleware) : SessionCookieSink, ISessionFeature
{
    /// <summary>
    /// The request's one commit, from whichever comes first: the end of the pipeline or the
    /// response starting. A 5xx saves nothing unless the app opted in; and not RequestAborted, so a
    /// client that went away does not lose what its request did.
    /// </summary>
    public ValueTask CommitAsync()
    {
        if (response.StatusCode >= 500 && !commitOnServerError) Session.DiscardChanges();
        return Session.CommitAsync(CancellationToken.None);
    }

    private ISession? _aspNetSession;

    public Session Session { get; set; } = null!;

    public HttpResponse Response => response;

    /// <summary>Why the commit that ran as the response started was refused, or <see langword="null"/>.</summary>
    public Exception? Refusal { get; set; }

    ISession ISessionFeature.Session
    {
        get => _aspNetSession ??= new SatchelAspNetSession(Session);
        set => _aspNetSession = value;
    }

    protected override bool HasStarted => response.HasStarted;

    protected override string[] GetHeader(string name) => response.Headers[name].ToArray()!;

    protected override void SetHeader(string name, string[] values) => response.Headers[name] = values;

    protected override bool MaySetCookie(string cookieName) => middleware.MaySetCookie(response.HttpContext);

    protected override void OnSynchronousLoad() => middleware.LoadFirst(response.HttpContext);

}
