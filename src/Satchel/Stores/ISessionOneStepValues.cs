namespace Satchel.Stores;

/// <summary>
/// A store capability: changing one value of a live session in one step inside the store, with no
/// lock and no read beforehand, so parallel requests never lose each other's counts — the answer
/// to "a counter that survives parallel requests" without exclusive sessions. Found through
/// <see cref="ISessionStore.GetCapability{T}"/>; <see cref="Session.IncrementAsync"/> and
/// <see cref="Session.ReplaceJsonAsync"/> use it. Memory, Redis and SQLite offer it; the cookie and
/// <c>IDistributedCache</c> stores cannot (set <see cref="SatchelOptions.RequireOneStepValues"/> to
/// have the app refuse to start on them). Like an update, neither call creates or brings back a
/// session, and both make <c>now</c> the session's last access when they write.
/// </summary>
public interface ISessionOneStepValues
{
    /// <summary>
    /// Adds <paramref name="by"/> to the whole number under <paramref name="name"/> (an absent key
    /// counts as 0) in the live session <paramref name="key"/>, and returns the sum; <see langword="null"/>
    /// when no session is live at <paramref name="now"/> (nothing is written).
    /// </summary>
    /// <exception cref="FormatException">The value is not a JSON whole number, or the sum would not fit 64 bits; nothing is written.</exception>
    ValueTask<long?> IncrementAsync(SessionKey key, string name, long by, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets <paramref name="name"/> to <paramref name="value"/> only while its JSON is byte for byte
    /// <paramref name="expected"/> (<see langword="null"/>: only while the key is absent), in the live
    /// session <paramref name="key"/>. Returns whether it was set and the JSON the key now holds (the
    /// new value, or the one that differed; <see langword="null"/> when absent), or
    /// <see langword="null"/> when no session is live at <paramref name="now"/>.
    /// </summary>
    ValueTask<SessionValueSwap?> ReplaceAsync(SessionKey key, string name, ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte> value, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="ISessionOneStepValues.ReplaceAsync"/>.</summary>
/// <param name="Replaced">Whether the value was set.</param>
/// <param name="Current">The JSON the key holds now (the new value when set); <see langword="null"/> when the key is absent.</param>
public readonly record struct SessionValueSwap(bool Replaced, ReadOnlyMemory<byte>? Current);
