namespace Satchel.Tests.Support;

/// <summary>A store whose backend is down: every call fails with the backend's own error, after a real await.</summary>
public sealed class FailingStore(bool isShared = false) : ISessionStore
{
    public const string Error = "connection refused by sessions-db:6379";

    public bool IsShared => isShared;

    public async ValueTask<SessionRecord?> LoadAsync(string key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }

    public async ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }

    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new IOException(Error);
    }
}

/// <summary>A store that answers only after a real asynchronous hop, like a network store.</summary>
public sealed class AsyncStore(ISessionStore inner) : ISessionStore
{
    public bool IsShared => inner.IsShared;

    public async ValueTask<SessionRecord?> LoadAsync(string key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        return await inner.LoadAsync(key, now, touchInterval, cancellationToken);
    }

    public async ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        return await inner.CommitAsync(key, change, cancellationToken);
    }

    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        await Task.Delay(1, cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
    }
}
