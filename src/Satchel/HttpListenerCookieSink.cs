using System.Net;

namespace Satchel;

/// <summary>Writes the session cookie to an <see cref="HttpListenerResponse"/>'s headers.</summary>
internal sealed class HttpListenerCookieSink(HttpListenerResponse response, string cookieName) : ISessionCookieSink
{
    private readonly string _prefix = cookieName + "=";

    public void SetCookie(string? setCookieHeader)
    {
        var headers = response.Headers;
        var others = headers.GetValues("Set-Cookie")?.Where(v => !v.StartsWith(_prefix, StringComparison.Ordinal)).ToArray() ?? [];
        try
        {
            headers.Remove("Set-Cookie");
            foreach (var other in others) headers.Add("Set-Cookie", other);
            if (setCookieHeader is null) return;
            headers.Add("Set-Cookie", setCookieHeader);
            headers["Cache-Control"] = "no-store";
            var vary = headers["Vary"];
            if (vary is null || !vary.Contains("Cookie", StringComparison.OrdinalIgnoreCase))
                headers["Vary"] = string.IsNullOrEmpty(vary) ? "Cookie" : vary + ", Cookie";
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            throw new InvalidOperationException("The response was already sent, so the session cookie can no longer go out. Change the session before writing the response body.", ex);
        }
    }
}
