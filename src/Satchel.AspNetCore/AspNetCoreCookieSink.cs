using Microsoft.AspNetCore.Http;

namespace Satchel.AspNetCore;

/// <summary>
/// The session's cookie into an ASP.NET Core response's headers. A storing cookie goes out only
/// with the app's cookie consent (<see cref="CookieConsent"/>); a load that would block a thread
/// teaches the endpoint to load first (<see cref="EndpointSessionUse"/>).
/// </summary>
internal sealed class AspNetCoreCookieSink(HttpResponse response, CookieConsent consent, EndpointSessionUse endpoints) : SessionCookieSink
{
    protected override bool HasStarted => response.HasStarted;

    protected override string[] GetHeader(string name) => response.Headers[name].ToArray()!;

    protected override void SetHeader(string name, string[] values) => response.Headers[name] = values;

    protected override bool MaySetCookie(string cookieName) => consent.MaySetCookie(response.HttpContext);

    protected override void OnSynchronousLoad() => endpoints.LoadFirst(response.HttpContext);
}
