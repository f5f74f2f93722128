namespace Satchel;

/// <summary>
/// A session token with its store key, computed once. Immutable: the request's verified cookie and
/// the session share one instance until the session mints a new token.
/// </summary>
internal class SessionIdentity(string token, SessionKey key)
{
    public string Token { get; } = token;

    public SessionKey Key { get; } = key;

    /// <summary>A new 256-bit token and its key.</summary>
    public static SessionIdentity Mint()
    {
        var token = SessionToken.NewToken();
        return new SessionIdentity(token, SessionKey.FromToken(token));
    }
}
