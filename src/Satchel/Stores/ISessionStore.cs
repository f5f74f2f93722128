namespace Satchel.Stores;

/// <summary>
/// Where sessions live: the whole contract a store implements. Keys are <see cref="SessionKey"/>s
/// (hashes of tokens, never the tokens). The core validates everything before it calls a store:
/// a create always has metadata, an update never creates, and limits were enforced at the write.
/// A store enforces expiry itself: a record past <see cref="SessionRecord.ExpiresAt"/> never loads
/// and never takes an update. Optional powers (listing a user's sessions, locks) are capability
/// interfaces found through <see cref="GetCapability{T}"/>. Prove a store with the conformance
/// suite in <c>Satchel.Testing</c>; <c>docs/stores/README.md</c> walks through writing one.
/// </summary>
public interface ISessionStore
{
    /// <summary>
    /// What the store promises beyond the basic contract. Default <see cref="SessionStoreGuarantees.None"/>:
    /// a store declares only what the conformance suite then checks it keeps.
    /// </summary>
    SessionStoreGuarantees Guarantees => SessionStoreGuarantees.None;

    /// <summary>
    /// Loads a session, or <see langword="null"/> when none is live at <paramref name="now"/>. When
    /// the record was last accessed at least <paramref name="touchInterval"/> before
    /// <paramref name="now"/>, its last access becomes <paramref name="now"/> in the same operation
    /// (the throttled expiry refresh), and the record says so with <see cref="SessionRecord.Touched"/>.
    /// </summary>
    ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a new session. Its last access is <see cref="SessionRecord.LastAccess"/>. A record
    /// already under <paramref name="key"/> (only a retried create can meet one: keys are 256-bit
    /// random) is replaced.
    /// </summary>
    ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="change"/> to a live session and sets its last access to
    /// <see cref="SessionChange.Now"/>. Returns <see langword="false"/>, and changes nothing, when
    /// no live record is under <paramref name="key"/>: a destroyed session is never brought back.
    /// </summary>
    ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session; deleting one that does not exist is not an error.</summary>
    ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// An optional power of the store, such as <see cref="ISessionUserIndex"/> or
    /// <see cref="ISessionLocks"/>, or <see langword="null"/> when it has none. The default answers
    /// with the store itself when it implements <typeparamref name="T"/>; a store that wraps another
    /// (caching, counting, tracing) forwards the call, so the powers of the inner store stay visible.
    /// </summary>
    T? GetCapability<T>() where T : class => this as T;
}
