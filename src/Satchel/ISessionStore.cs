namespace Satchel;

/// <summary>
/// Where sessions live. Keys are SHA-256 hashes of tokens, never the tokens themselves. A store
/// enforces expiry itself: a record past <see cref="SessionRecord.ExpiresAt"/> does not load.
/// </summary>
public interface ISessionStore
{
    /// <summary>
    /// Whether several processes share this store. A shared store needs configured
    /// <see cref="SatchelOptions.Secrets"/>, since a per-process random key would reject every
    /// other process's cookies.
    /// </summary>
    bool IsShared { get; }

    /// <summary>
    /// Loads a session, or <see langword="null"/> when none is live. When the record was last
    /// accessed at least <paramref name="touchInterval"/> before <paramref name="now"/>, its last
    /// access becomes <paramref name="now"/> in the same operation (the throttled expiry refresh).
    /// </summary>
    ValueTask<SessionRecord?> LoadAsync(string key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a change atomically; sets the last access to <see cref="SessionChange.Now"/>.
    /// Returns <see langword="false"/> when the change updates a record that no longer exists.
    /// </summary>
    ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session; deleting one that does not exist is not an error.</summary>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A store that can list the sessions of one user (for "sign out everywhere").</summary>
public interface ISessionUserIndex
{
    /// <summary>The live sessions indexed under <paramref name="userId"/>.</summary>
    ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>One session as a store lists it.</summary>
/// <param name="Key">The store key (hash of the token).</param>
/// <param name="Metadata">The session's metadata.</param>
/// <param name="LastAccess">Its last access.</param>
public sealed record StoredSession(string Key, SessionMetadata Metadata, DateTimeOffset LastAccess);
