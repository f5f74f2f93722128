namespace Satchel;

/// <summary>
/// When this process last had the store look at each session, so a request that never touches its
/// session keeps it alive with at most one store call per <see cref="SatchelOptions.TouchInterval"/>
/// per session, and a steady stream of such requests costs no store call at all. Bounded by
/// construction: a fixed array of slots picked by the key's bits, each an immutable entry replaced
/// whole, so a reader sees an old entry or a new one. A session pushed out of its slot by another
/// is simply due again: the cost is one extra load, never a lost session.
/// </summary>
internal sealed class TouchMemo(TimeProvider time, TimeSpan touchInterval)
{
    private const int Slots = 16_384;
    private readonly Entry?[] _slots = new Entry?[Slots];
    private readonly long _interval = (long)(touchInterval.TotalSeconds * time.TimestampFrequency);

    /// <summary>
    /// Claims the touch of <paramref name="key"/> when it is due: of many parallel requests of
    /// one session, exactly one gets <see langword="true"/> and touches the store.
    /// </summary>
    public bool TryClaim(SessionKey key)
    {
        ref var slot = ref _slots[SlotOf(key)];
        var entry = Volatile.Read(ref slot);
        return IsDue(entry, key) && Interlocked.CompareExchange(ref slot, new Entry(key, time.GetTimestamp()), entry) == entry;
    }

    // Whether the store has not looked at the key for a touch interval, as far as this process knows.
    private bool IsDue(Entry? entry, SessionKey key) => entry is null || entry.Key != key || time.GetTimestamp() - entry.Timestamp >= _interval;

    /// <summary>
    /// The store just loaded or wrote <paramref name="key"/> (and so refreshed its expiry if that was
    /// due). Writes an entry only when the one there is stale, so a busy session allocates nothing.
    /// </summary>
    public void Seen(SessionKey key)
    {
        ref var slot = ref _slots[SlotOf(key)];
        if (IsDue(Volatile.Read(ref slot), key)) Volatile.Write(ref slot, new Entry(key, time.GetTimestamp()));
    }

    /// <summary>
    /// Loads <paramref name="key"/> so the store refreshes its expiry, for a request that never used
    /// its session and won <see cref="TryClaim"/>. That request did not need the store, so a failure
    /// is logged, never thrown, and the next try waits a touch interval like a success.
    /// </summary>
    public static async ValueTask<SessionRecord?> TouchAsync(SessionRuntime runtime, ISessionStore store, SessionKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await StoreCall.Run(runtime.StoreName, StoreCall.Touch, key, (store, key, now: runtime.Time.GetUtcNow(), touch: runtime.Options.TouchInterval, ct: cancellationToken),
                static s => s.store.LoadAsync(s.key, s.now, s.touch, s.ct)).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            Log.StoreFailed(runtime.Logger, ex, runtime.StoreName, "touch", key.Id);
            return null;
        }
    }

    private static int SlotOf(SessionKey key) => (int)(key.High >> 50);   // 14 bits of a SHA-256: uniform

    private sealed record Entry(SessionKey Key, long Timestamp);
}
