using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Satchel.AspNetCore;

/// <summary>
/// The request's Satchel session as ASP.NET Core features: <see cref="ISessionFeature"/> (so
/// <c>HttpContext.Session</c> works) and the cookie sink writing to the response.
/// </summary>
/// <param name="response">The request's response.</param>
/// <param name="cookiePrefix">The session cookie's name followed by "=".</param>
internal sealed class SatchelSessionFeature(HttpResponse response, string cookiePrefix) : ISessionFeature, ISessionCookieSink
{
    private ISession? _aspNetSession;

    public Session Session { get; set; } = null!;

    public HttpResponse Response => response;

    ISession ISessionFeature.Session
    {
        get => _aspNetSession ??= new SatchelAspNetSession(Session);
        set => _aspNetSession = value;
    }

    public void SetCookie(string? setCookieHeader)
    {
        if (response.HasStarted)
            throw new InvalidOperationException("The response has already started, so the session cookie can no longer be sent. Change the session before writing the response body.");
        var headers = response.Headers;
        var current = headers.SetCookie;
        var kept = new List<string?>(current.Count + 1);
        foreach (var value in current)
        {
            if (value is not null && !value.StartsWith(cookiePrefix, StringComparison.Ordinal)) kept.Add(value);
        }
        if (setCookieHeader is not null)
        {
            kept.Add(setCookieHeader);
            headers.CacheControl = "no-store";
            if (!headers.Vary.Any(v => v is not null && v.Contains("Cookie", StringComparison.OrdinalIgnoreCase)))
                headers.Append("Vary", "Cookie");
        }
        headers.SetCookie = kept.ToArray();
    }
}
