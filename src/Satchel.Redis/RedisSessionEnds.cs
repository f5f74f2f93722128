using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// Notices of ended sessions between the app processes sharing Redis: one pub/sub channel,
/// <c>{KeyPrefix}ended</c> (pub/sub reaches every node of a Redis Cluster). Subscribed once
/// connected, and again after a reconnect by StackExchange.Redis itself.
/// </summary>
internal sealed class RedisSessionEnds(Task<IConnectionMultiplexer> redis, string channel) : ISessionEndBroadcast
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private Action<string>? _received;
    private int _subscribed;

    public event Action<string>? Received
    {
        add
        {
            _received += value;
            if (Interlocked.Exchange(ref _subscribed, 1) == 0) _ = SubscribeAsync();
        }
        remove => _received -= value;
    }

    public async ValueTask PublishAsync(string notice, CancellationToken cancellationToken = default)
    {
        if (!redis.IsCompletedSuccessfully) return;   // not connected yet: nobody could be told
        await redis.Result.GetSubscriber().PublishAsync(_channel, notice).ConfigureAwait(false);
    }

    private async Task SubscribeAsync()
    {
        var connection = await redis.ConfigureAwait(false);
        await connection.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (message.HasValue) _received?.Invoke(message!);
        }).ConfigureAwait(false);
    }
}
