namespace Satchel.Tests.Support;

/// <summary>A store whose backend is down: every call fails with the backend's own error, after a real await.</summary>
public sealed class FailingStore(bool isShared = false) : ISessionStore
{
    public const string Error = "connection refused by sessions-db:6379";

    public SessionStoreGuarantees Guarantees => isShared ? SessionStoreGuarantees.Shared : SessionStoreGuarantees.None;

    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }

    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }

    public async ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }

    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }
}

/// <summary>A store that answers only after a real asynchronous hop, like a network store, and honours cancellation like one.</summary>
public sealed class AsyncStore(ISessionStore inner) : ISessionStore
{
    public SessionStoreGuarantees Guarantees => inner.Guarantees;

    /// <summary>
    /// Makes every DeleteAsync fail with this store's own error after the delete ran: a command whose
    /// reply was lost (a timeout, a connection killed after the server executed it).
    /// </summary>
    public bool FailDeletes { get; set; }

    /// <summary>Makes every UpdateAsync fail likewise.</summary>
    public bool FailUpdates { get; set; }

    /// <summary>
    /// Makes every LoadAsync and UpdateAsync end as a cancelled task though nobody cancelled: a
    /// client reporting its own timeout that way (StackExchange.Redis can, under a starved pool).
    /// </summary>
    public bool CancelOnItsOwn { get; set; }

    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        await Hop(cancellationToken);
        if (CancelOnItsOwn) throw new TaskCanceledException();
        return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
    }

    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        await Hop(cancellationToken);
        await inner.CreateAsync(key, record, cancellationToken);
    }

    public async ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        await Hop(cancellationToken);
        if (FailUpdates) throw new IOException(FailingStore.Error);
        if (CancelOnItsOwn) throw new TaskCanceledException();
        return await inner.UpdateAsync(key, change, cancellationToken);
    }

    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        await Hop(cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
        if (FailDeletes) throw new IOException(FailingStore.Error);
    }

    public T? GetCapability<T>() where T : class => inner.GetCapability<T>();

    private static async Task Hop(CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>
/// A store whose loads answer only once the calling thread is blocked waiting for them: a session
/// read before it loaded then certainly holds a thread. Whether an ordinary asynchronous store makes
/// its caller block depends on scheduling (on a loaded machine the store may finish on another
/// thread before the caller looks), so a test of the warning about it needs this one.
/// </summary>
public sealed class CallerBlocksStore(ISessionStore inner) : ISessionStore
{
    public SessionStoreGuarantees Guarantees => inner.Guarantees;

    public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var caller = Thread.CurrentThread;
        return new(Task.Run(async () =>
        {
            while ((caller.ThreadState & ThreadState.WaitSleepJoin) == 0) await Task.Delay(1, cancellationToken);
            return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
        }, cancellationToken));
    }

    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => inner.CreateAsync(key, record, cancellationToken);

    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => inner.UpdateAsync(key, change, cancellationToken);

    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
