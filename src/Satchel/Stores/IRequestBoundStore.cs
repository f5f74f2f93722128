namespace Satchel.Stores;

/// <summary>
/// Optional capability of a store whose sessions travel with the request instead of living on a
/// server: the cookie store, or one of your own that keeps the session in the request. Each
/// request's session then works on a view of its own (<see cref="ForRequest"/>), made from the
/// request's Cookie header and writing into its response. The session manager asks once, at
/// construction, through <see cref="ISessionStore.GetCapability{T}"/>. Such a store cannot serve
/// clients of header tokens (<see cref="SatchelOptions.TokenHeader"/>), which keep no cookies.
/// </summary>
public interface IRequestBoundStore
{
    /// <summary>The store as one request sees it.</summary>
    /// <param name="cookieHeader">The request's raw Cookie header, or null.</param>
    /// <param name="secure">Whether cookies the view sets carry <c>Secure</c>.</param>
    /// <param name="response">Where the view puts its cookies; null when the request has no response (the view then keeps its changes to itself).</param>
    IRequestBoundView ForRequest(string? cookieHeader, bool secure, IResponseCookies? response);
}

/// <summary>One request's view of a <see cref="IRequestBoundStore"/>: the store contract, plus what a session carried by the response needs.</summary>
public interface IRequestBoundView : ISessionStore
{
    /// <summary>
    /// Checks a write against what the response can carry, at the write, so the request that
    /// overfills the session learns it there and not at a commit after the response.
    /// </summary>
    /// <param name="what">What is being written, for the message (for example <c>Value 'cart'</c>).</param>
    /// <param name="metadata">The session's metadata after the write.</param>
    /// <param name="packedBytes">The length of the session's values after the write, in <see cref="SessionRecord.PackedValues"/>' format.</param>
    /// <param name="now">The time of the write.</param>
    /// <exception cref="SessionLimitExceededException">The session would not fit.</exception>
    void CheckFits(string what, SessionMetadata metadata, int packedBytes, DateTimeOffset now);

    /// <summary>
    /// Puts <paramref name="record"/> (none: its removal) into the response now, ahead of the
    /// commit: for servers whose response can go out before the commit (HttpListener). The
    /// session previews after each change, so the last preview is what the commit writes.
    /// </summary>
    void Preview(SessionKey key, SessionRecord? record);
}

/// <summary>The response's cookies, as a <see cref="IRequestBoundView"/> writes them. The adapter's <c>SessionCookieSink</c> is one.</summary>
public interface IResponseCookies
{
    /// <summary>Whether the response has started, so its cookies can no longer change.</summary>
    bool HasStarted { get; }

    /// <summary>Makes the response carry <paramref name="setCookieHeader"/> as cookie <paramref name="cookieName"/>'s only <c>Set-Cookie</c>.</summary>
    /// <exception cref="InvalidOperationException">The response has already started.</exception>
    void Send(string cookieName, string setCookieHeader);
}
