namespace Satchel;

/// <summary>
/// What one request changed in a session. A store applies exactly this, atomically, so parallel
/// requests that change different keys keep each other's writes.
/// </summary>
public sealed class SessionChange
{
    /// <summary>The time of the commit: the new last access.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>
    /// Create the record. When <see langword="false"/> the change applies only to a record that
    /// still exists, so a session another request destroyed or regenerated is not brought back.
    /// </summary>
    public bool Create { get; init; }

    /// <summary>Every value was removed before <see cref="Values"/> apply.</summary>
    public bool Cleared { get; init; }

    /// <summary>Keys set (UTF-8 JSON) or removed (<see langword="null"/>).</summary>
    public required IReadOnlyDictionary<string, byte[]?> Values { get; init; }

    /// <summary>New metadata, or <see langword="null"/> to keep the stored one. Required with <see cref="Create"/>.</summary>
    public SessionMetadata? Metadata { get; init; }
}
