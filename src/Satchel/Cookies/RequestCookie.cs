namespace Satchel;

/// <summary>
/// The session cookie a request carried, read and verified once, at the door (when the adapter
/// opens the session): no session value access ever parses, verifies or throttles.
/// </summary>
/// <param name="Present">Whether the request carried a cookie of the session's name at all.</param>
/// <param name="Token">The verified token, or <see langword="null"/> when no value verified.</param>
/// <param name="Key">The token's store key (default when <paramref name="Token"/> is null).</param>
internal readonly record struct RequestCookie(bool Present, string? Token, SessionKey Key)
{
    public bool IsValid => Token is not null;

    /// <summary>Reads the cookie from a raw Cookie header. Throws only when the app's throttle hook refuses the client.</summary>
    /// <exception cref="SessionThrottledException">The client is past the invalid-cookie limit and the app refused it.</exception>
    public static RequestCookie Read(SessionManager manager, string? header, string? clientAddress)
    {
        if (string.IsNullOrEmpty(header)) return default;
        if (header.Length > SessionCookie.MaxHeaderLength)
        {
            manager.InvalidCookies.Reject(clientAddress, "Cookie header longer than " + SessionCookie.MaxHeaderLength + " characters", refusable: true);
            return new RequestCookie(true, null, default);
        }
        var present = false;
        foreach (var value in SessionCookie.Values(header, manager.CookieName))
        {
            present = true;
            // Duplicate cookies: the first validly signed one wins (browsers send the most specific path first).
            if (manager.VerifiedCookies.TryGet(value, out var verified)) return new RequestCookie(true, verified.Token, verified.Key);
            if (manager.KeyRing.TryVerify(value, out var token))
            {
                var key = SessionKey.FromToken(token);
                manager.VerifiedCookies.Add(value, token, key);
                return new RequestCookie(true, token, key);
            }
        }
        if (present) manager.InvalidCookies.Reject(clientAddress, "malformed or wrongly signed value", refusable: true);
        return new RequestCookie(present, null, default);
    }
}
