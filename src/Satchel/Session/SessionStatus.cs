namespace Satchel;

/// <summary>What a request has done to its session so far.</summary>
public enum SessionStatus
{
    /// <summary>Nothing changed; the commit writes nothing.</summary>
    Unmodified,
    /// <summary>Values or metadata changed; the commit applies exactly those changes.</summary>
    Modified,
    /// <summary>The session was destroyed; the commit deletes it and expires the cookie.</summary>
    Destroyed,
}
