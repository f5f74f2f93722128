namespace Satchel.Stores;

/// <summary>
/// A store whose sessions travel with the request (the cookie store): each request's session
/// works on a view of its own, made from the request's cookies and writing into its response.
/// The session manager asks once, at construction, whether its store is one.
/// </summary>
internal interface IRequestBoundStore
{
    IRequestView ForRequest(string? cookieHeader, SessionCookieSink? sink, bool secure);
}

/// <summary>One request's view of a request-bound store: the store contract, plus what a response-carried session needs.</summary>
internal interface IRequestView : ISessionStore
{
    /// <summary>Checks a write against what the response can carry, at the write.</summary>
    /// <exception cref="SessionLimitExceededException">A session of <paramref name="packedBytes"/> of values would not fit.</exception>
    void CheckFits(string what, SessionMetadata metadata, int packedBytes, DateTimeOffset now);

    /// <summary>
    /// Puts <paramref name="record"/> (none: its removal) into the response now, ahead of the
    /// commit: for servers whose response goes out before the commit (HttpListener).
    /// </summary>
    void Preview(SessionKey key, SessionRecord? record);
}
