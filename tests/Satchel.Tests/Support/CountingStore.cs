namespace Satchel.Tests.Support;

/// <summary>A real memory store with a counter on every call, to prove how many store calls a request costs.</summary>
public sealed class CountingStore(ISessionStore inner) : ISessionStore, ISessionUserIndex
{
    public int Loads;
    public int Commits;
    public int Deletes;
    public int Touches;

    public int Calls => Loads + Commits + Deletes;

    public ISessionStore Inner => inner;

    public bool IsShared => inner.IsShared;

    public async ValueTask<SessionRecord?> LoadAsync(string key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Loads);
        var record = await inner.LoadAsync(key, now, touchInterval, cancellationToken);
        if (record is not null && record.LastAccess == now) Interlocked.Increment(ref Touches);
        return record;
    }

    public ValueTask<bool> CommitAsync(string key, SessionChange change, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Commits);
        return inner.CommitAsync(key, change, cancellationToken);
    }

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Deletes);
        return inner.DeleteAsync(key, cancellationToken);
    }

    public ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ((ISessionUserIndex)inner).ListByUserAsync(userId, now, cancellationToken);
}
