namespace Satchel.Tests.Support;

/// <summary>A store wrapper with a counter on every call, to prove how many store calls a request costs. Forwards capabilities, as a wrapper must.</summary>
public sealed class CountingStore(ISessionStore inner) : ISessionStore
{
    public int Loads;
    public int Creates;
    public int Updates;
    public int Deletes;
    public int Touches;

    public int Commits => Creates + Updates;

    public int Calls => Loads + Commits + Deletes;

    public ISessionStore Inner => inner;

    public SessionStoreGuarantees Guarantees => inner.Guarantees;

    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Loads);
        var record = await inner.LoadAsync(key, now, touchInterval, cancellationToken);
        if (record is { Touched: true }) Interlocked.Increment(ref Touches);
        return record;
    }

    public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Creates);
        return inner.CreateAsync(key, record, cancellationToken);
    }

    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Updates);
        return inner.UpdateAsync(key, change, cancellationToken);
    }

    public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Deletes);
        return inner.DeleteAsync(key, cancellationToken);
    }

    public T? GetCapability<T>() where T : class => this as T ?? inner.GetCapability<T>();
}
