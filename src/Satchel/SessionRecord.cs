namespace Satchel;

/// <summary>A session as a store holds it. Immutable: a store hands out a snapshot.</summary>
/// <param name="Values">Each key's value as UTF-8 JSON.</param>
/// <param name="Metadata">Created, lifetimes and user.</param>
/// <param name="LastAccess">The last time the session was written or its expiry refreshed.</param>
public sealed record SessionRecord(
    IReadOnlyDictionary<string, byte[]> Values,
    SessionMetadata Metadata,
    DateTimeOffset LastAccess)
{
    /// <summary>When the session expires unless it is used again.</summary>
    public DateTimeOffset ExpiresAt => Metadata.ExpiresAt(LastAccess);
}
