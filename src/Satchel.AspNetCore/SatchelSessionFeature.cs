using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Satchel.AspNetCore;

/// <summary>
/// The request's Satchel session as an ASP.NET Core feature: <see cref="ISessionFeature"/>, so
/// <c>HttpContext.Session</c> works, and how <c>GetSession()</c> finds it. Data only: the
/// middleware opens, commits and refuses; the cookie goes through <see cref="AspNetCoreCookieSink"/>.
/// </summary>
internal sealed class SatchelSessionFeature(HttpResponse response, bool commitOnServerError) : ISessionFeature
{
    private ISession? _aspNetSession;

    public Session Session { get; set; } = null!;

    public HttpResponse Response => response;

    /// <summary>Whether a failed (5xx) response still saves the session (<see cref="SatchelAspNetCoreOptions.CommitOnServerError"/>).</summary>
    public bool CommitOnServerError => commitOnServerError;

    /// <summary>Why the commit that ran as the response started was refused, or <see langword="null"/>.</summary>
    public Exception? Refusal { get; set; }

    ISession ISessionFeature.Session
    {
        get => _aspNetSession ??= new SatchelAspNetSession(Session);
        set => _aspNetSession = value;
    }
}
