namespace Satchel;

/// <summary>
/// The session ended in another request — destroyed (sign-out), regenerated (sign-in), revoked or
/// expired — while this request was changing it, so this request's changes were not saved. Thrown
/// by the commit, after a warning log (event 10), so an acknowledged write never vanishes
/// silently. ASP.NET Core answers 409 Conflict with no body; the browser's next request sees the
/// session as the other request left it.
/// </summary>
public sealed class SessionEndedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionEndedException() : base("The session ended in another request before this request saved its changes; they were not saved.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SessionEndedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SessionEndedException(string message, Exception innerException) : base(message, innerException) { }
}
