namespace Satchel;

/// <summary>
/// The application's session cookie, as requests read it and responses send it: its options and
/// the name it goes out under, the key ring that signs it, the values already verified, the
/// invalid-cookie throttle, and the clock (a remember-me cookie's Max-Age). One per
/// <see cref="SessionManager"/>, handed to each request's cookie types.
/// </summary>
internal sealed class SessionCookies(SessionCookieOptions options, SessionKeyRing keyRing, InvalidCookieTracker invalid, TimeProvider time)
{
    public SessionCookieOptions Options => options;

    /// <summary>The cookie's name as sent, with any <c>__Host-</c> prefix.</summary>
    public string Name { get; } = options.EffectiveName;

    public SessionKeyRing KeyRing => keyRing;

    public VerifiedCookieCache Verified { get; } = new();

    public InvalidCookieTracker Invalid => invalid;

    public TimeProvider Time => time;

    /// <summary>Whether the cookie carries Secure for a request that came over HTTPS or not.</summary>
    public bool IsSecure(bool isHttps) => isHttps || options.Secure == SessionCookieSecurePolicy.Always || options.UseHostPrefix;
}
