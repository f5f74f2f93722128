using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Satchel.AspNetCore;

/// <summary>
/// Whether a response may carry a cookie that stores the session, asked only when one is about
/// to go out (not per request). A non-essential cookie waits for consent under UseCookiePolicy
/// with CheckConsentNeeded, as cookies appended through Response.Cookies do (Satchel writes the
/// header itself). Behind a TLS-terminating proxy without UseForwardedHeaders(), the request
/// looks like http and the cookie would go out without Secure (express-session users know this
/// one). Each is said once. One per middleware.
/// </summary>
internal sealed class CookieConsent(SatchelOptions options, ILogger logger)
{
    private readonly bool _secureFollowsRequest = options.Cookie.Secure == SessionCookieSecurePolicy.SameAsRequest && !options.Cookie.UseHostPrefix;
    private readonly bool _essential = options.Cookie.IsEssential;
    private int _withheldWarned;
    private int _proxyWarned;

    public bool MaySetCookie(HttpContext context)
    {
        if (_secureFollowsRequest && !context.Request.IsHttps && _proxyWarned == 0
            && string.Equals(context.Request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase)
            && Interlocked.Exchange(ref _proxyWarned, 1) == 0)
            Log.ForwardedHttpsIgnored(logger);
        if (_essential || context.Features.Get<ITrackingConsentFeature>() is not { IsConsentNeeded: true, HasConsent: false }) return true;
        if (Interlocked.Exchange(ref _withheldWarned, 1) == 0) Log.CookieWithheld(logger);
        return false;
    }
}
