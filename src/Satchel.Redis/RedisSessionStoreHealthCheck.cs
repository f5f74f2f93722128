using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Satchel.Redis;

/// <summary>Healthy when the session store's Redis answers a PING.</summary>
internal sealed class RedisSessionStoreHealthCheck(ISessionStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store.GetCapability<RedisSessionStore>() is not { } redis)
            return new HealthCheckResult(context.Registration.FailureStatus, $"Satchel's session store is {store.GetType().Name}, not Redis; call UseRedis(...) or remove AddSatchelRedis().");
        if (redis.Connection is not { } connection)
            return new HealthCheckResult(context.Registration.FailureStatus, "Satchel's Redis session store is still making its first connection.");
        try
        {
            var latency = await connection.GetDatabase().PingAsync().ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Satchel's Redis session store does not answer: " + ex.Message, ex);
        }
    }
}
