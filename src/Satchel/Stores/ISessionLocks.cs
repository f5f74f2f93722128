namespace Satchel.Stores;

/// <summary>
/// A store capability: giving one request at a time exclusive use of a session, for endpoints that
/// read, change and write back one key (a counter, a balance). Found through
/// <see cref="ISessionStore.GetCapability{T}"/>. The memory store locks in process; the Redis
/// store takes a lease that expires on its own if its holder dies.
/// </summary>
public interface ISessionLocks
{
    /// <summary>
    /// Waits until this caller holds the session <paramref name="key"/>, at most <paramref name="timeout"/>;
    /// disposing the result releases it. Returns <see langword="null"/> when the wait timed out.
    /// </summary>
    ValueTask<IAsyncDisposable?> AcquireAsync(SessionKey key, TimeSpan timeout, CancellationToken cancellationToken = default);
}
