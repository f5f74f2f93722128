namespace Satchel;

/// <summary>When the session cookie carries the Secure attribute.</summary>
public enum CookieSecurePolicy
{
    /// <summary>Secure when the request came over HTTPS.</summary>
    SameAsRequest,
    /// <summary>Always Secure (put the app behind HTTPS).</summary>
    Always,
}
