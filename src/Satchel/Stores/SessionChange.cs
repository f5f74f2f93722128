namespace Satchel.Stores;

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

    /// <summary>
    /// The record this change was made over, as the store's <see cref="ISessionStore.LoadAsync"/>
    /// gave it to this request, or <see langword="null"/> (the caller did not load one). A hint a
    /// store may use to skip what its load already established — the session's lifetimes, and that
    /// it was live by the caller's clock — never a licence to bring back a session that has since
    /// ended: a destroyed or expired session stays gone, whatever this says.
    /// </summary>
    public SessionRecord? Base { get; init; }
}
