namespace Satchel.AspNetCore;

/// <summary>How SignalR hubs use Satchel's sessions (<c>AddSignalR().AddSatchel(o => …)</c>).</summary>
public sealed class SatchelHubOptions
{
    /// <summary>
    /// Whether a connection is closed when the session it was opened with ends in this process:
    /// destroyed (sign-out), revoked through <see cref="SessionAdmin"/>, regenerated away (sign-in
    /// in another tab), or swept after it expired. Default <see langword="true"/>: a live page must
    /// not go on acting for a user who signed out. Either way, an ended session's connections see no
    /// session from their next invocation on.
    /// </summary>
    public bool CloseOnSessionEnd { get; set; } = true;
}
