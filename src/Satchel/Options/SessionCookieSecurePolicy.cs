namespace Satchel;

/// <summary>
/// When the session cookie carries the Secure attribute. (Not named CookieSecurePolicy: ASP.NET
/// Core has one, and a web app's implicit usings would make the name ambiguous.)
/// </summary>
public enum SessionCookieSecurePolicy
{
    /// <summary>Secure when the request came over HTTPS.</summary>
    SameAsRequest,
    /// <summary>Always Secure (put the app behind HTTPS).</summary>
    Always,
}
