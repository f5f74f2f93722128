namespace Satchel;

/// <summary>
/// What one request changed in a live session, for <see cref="ISessionStore.UpdateAsync"/>. A
/// store applies exactly this, atomically, so parallel requests that change different keys keep
/// each other's writes. Built and validated by the core: keys and values are within the limits,
/// and a key appears once.
/// </summary>
public sealed class SessionChange
{
    /// <summary>The time of the commit: the session's new last access.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Every stored value is removed before <see cref="Values"/> apply.</summary>
    public bool Cleared { get; init; }

    /// <summary>Keys set (UTF-8 JSON) or removed (<see langword="null"/>).</summary>
    public required IReadOnlyDictionary<string, byte[]?> Values { get; init; }

    /// <summary>The session's new metadata, or <see langword="null"/> to keep the stored one.</summary>
    public SessionMetadata? Metadata { get; init; }
}
