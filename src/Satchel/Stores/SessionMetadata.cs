namespace Satchel.Stores;

/// <summary>What a store keeps about a session besides its values.</summary>
/// <param name="Created">When the session was created.</param>
/// <param name="IdleTimeout">The session's sliding lifetime (the option, or a <see cref="Session.RememberMe"/> lifetime).</param>
/// <param name="AbsoluteDeadline">When the session ends whatever its activity; <see langword="null"/> for never.</param>
/// <param name="Persistent">Whether the cookie is persistent ("remember me").</param>
/// <param name="UserId">The user the session is indexed under, if any.</param>
/// <param name="UserAgent">The user agent the application recorded, if any.</param>
public sealed record SessionMetadata(
    DateTimeOffset Created,
    TimeSpan IdleTimeout,
    DateTimeOffset? AbsoluteDeadline,
    bool Persistent = false,
    string? UserId = null,
    string? UserAgent = null)
{
    /// <summary>When a session last accessed at <paramref name="lastAccess"/> expires.</summary>
    public DateTimeOffset ExpiresAt(DateTimeOffset lastAccess)
    {
        var idle = lastAccess + IdleTimeout;
        return AbsoluteDeadline is { } deadline && deadline < idle ? deadline : idle;
    }
}
