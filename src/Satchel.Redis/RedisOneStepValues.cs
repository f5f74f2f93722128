using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// The Redis store's one-step value changes: a script each (HINCRBY, or a compare then HSET),
/// with the same liveness check and expiry move as a write, in one round trip and no read first.
/// </summary>
internal sealed class RedisOneStepValues(Func<IDatabase> database, Func<SessionKey, RedisKey> sessionHash) : ISessionOneStepValues
{

    /// <inheritdoc />
    public async ValueTask<long?> IncrementAsync(SessionKey key, string name, long by, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var reply = (RedisResult[])(await RedisScripts.Increment.RunAsync(database(), sessionHash(key), [now.ToUnixTimeMilliseconds(), RedisFields.ValuePrefix + name, by]).ConfigureAwait(false))!;
        return (long)reply[0] switch
        {
            0 => null,
            1 => (long)reply[1],
            _ => throw new FormatException($"Session value '{name}' is not a whole number, or adding {by} to it does not fit 64 bits, so it cannot be incremented."),
        };
    }

    /// <inheritdoc />
    public async ValueTask<SessionValueSwap?> ReplaceAsync(SessionKey key, string name, ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte> value, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        RedisValue[] args = [now.ToUnixTimeMilliseconds(), RedisFields.ValuePrefix + name, expected is null ? "0" : "1", expected ?? ReadOnlyMemory<byte>.Empty, value];
        var reply = (RedisResult[])(await RedisScripts.Replace.RunAsync(database(), sessionHash(key), args).ConfigureAwait(false))!;
        return (long)reply[0] switch
        {
            0 => null,
            1 => new SessionValueSwap(true, value),
            _ => new SessionValueSwap(false, reply.Length > 1 && !reply[1].IsNull ? (byte[])reply[1]! : (ReadOnlyMemory<byte>?)null),
        };
    }
}
