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

/// <summary>A store that answers only after a real asynchronous hop, like a network store.</summary>
public sealed class AsyncStore(ISessionStore inner) : ISessionStore
{
    public SessionStoreGuarantees Guarantees => inner.Guarantees;

    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
    }

    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        await inner.CreateAsync(key, record, cancellationToken);
    }

    public async ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        return await inner.UpdateAsync(key, change, cancellationToken);
    }

    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
    }

    public T? GetCapability<T>() where T : class => inner.GetCapability<T>();
}
