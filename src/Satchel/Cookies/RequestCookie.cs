namespace Satchel;

/// <summary>
/// The session cookie a request carried, read and verified once, at the door (when the adapter
/// opens the session): no session value access ever parses, verifies or throttles.
/// </summary>
/// <param name="Present">Whether the request carried a cookie of the session's name at all.</param>
/// <param name="Verified">The value that verified, with its token and key (shared with the cache), or <see langword="null"/>.</param>
internal readonly record struct RequestCookie(bool Present, VerifiedCookieCache.Verified? Verified)
{
    public string? Token => Verified?.Token;

    /// <summary>The token's store key; only meaningful when <see cref="IsValid"/>.</summary>
    public SessionKey Key => Verified?.Key ?? default;

    /// <summary>The value verified with a key kept only to verify (after a rotation): re-sign it.</summary>
    public bool SignedWithRetiredKey => Verified?.SignedWithRetiredKey == true;

    /// <summary>
    /// Values of the session's name that are checked at most. Browsers send one per matching path
    /// and domain, a handful at most; a header stuffed with forged duplicates costs no more than this.
    /// </summary>
    public const int MaxCandidates = 4;

    public bool IsValid => Verified is not null;

    /// <summary>Reads the cookie from a raw Cookie header. Throws only when the app's throttle hook refuses the client.</summary>
    /// <exception cref="SessionThrottledException">The client is past the invalid-cookie limit and the app refused it.</exception>
    public static RequestCookie Read(SessionCookies cookies, string? header, string? clientAddress)
    {
        if (string.IsNullOrEmpty(header)) return default;
        if (header.Length > SessionCookie.MaxHeaderLength)
        {
            cookies.Invalid.Reject(clientAddress, "Cookie header longer than " + SessionCookie.MaxHeaderLength + " characters", refusable: true);
            return new RequestCookie(true, null);
        }
        var candidates = 0;
        foreach (var value in SessionCookie.Values(header, cookies.Name))
        {
            // Duplicate cookies: the first validly signed one wins (browsers send the most specific path first).
            if (++candidates > MaxCandidates) break;
            if (TryVerify(cookies, value) is { } verified) return new RequestCookie(true, verified);
        }
        var present = candidates > 0;
        if (present) cookies.Invalid.Reject(clientAddress, "malformed or wrongly signed value", refusable: true);
        return new RequestCookie(present, null);
    }

    /// <summary>
    /// Reads the token from the request header <see cref="SatchelOptions.TokenHeader"/>, signed like
    /// the cookie. Empty: a client asking for a header session, with no token yet.
    /// </summary>
    /// <exception cref="SessionThrottledException">The client is past the invalid-cookie limit and the app refused it.</exception>
    public static RequestCookie ReadHeader(SessionCookies cookies, string value, string? clientAddress)
    {
        if (value.Length == 0) return default;
        if (TryVerify(cookies, value) is { } verified) return new RequestCookie(true, verified);
        cookies.Invalid.Reject(clientAddress, "malformed or wrongly signed token header", refusable: true);
        return new RequestCookie(true, null);
    }

    private static VerifiedCookieCache.Verified? TryVerify(SessionCookies cookies, ReadOnlySpan<char> value)
    {
        if (cookies.Verified.TryGet(value, out var verified)) return verified;
        return cookies.KeyRing.TryVerify(value, out var token, out var current)
            ? cookies.Verified.Add(value, token, SessionKey.FromToken(token), signedWithRetiredKey: !current)
            : null;
    }
}
