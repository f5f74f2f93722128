using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Satchel.Redis;
using StackExchange.Redis;

namespace Satchel;

/// <summary>Puts Satchel's sessions in Redis.</summary>
public static class SatchelRedisExtensions
{
    /// <summary>
    /// Keeps sessions in Redis, connecting with a StackExchange.Redis configuration string
    /// (<c>"127.0.0.1:6379"</c>, <c>"host1:6379,host2:6379,password=…"</c>). Needs configured
    /// <see cref="SatchelOptions.Secrets"/>, shared by every app process.
    /// </summary>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, string configuration) =>
        UseRedis(builder, configuration, _ => { });

    /// <summary>Keeps sessions in Redis (see <see cref="UseRedis(SatchelBuilder, string)"/>), with store settings such as the key prefix.</summary>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, string configuration, Action<RedisSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return builder.UseStore(_ => RedisSessionStore.Connect(configuration, Options(configure)));
    }

    /// <summary>Keeps sessions in Redis on the app's existing connection (which the app keeps owning).</summary>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, IConnectionMultiplexer connection) =>
        UseRedis(builder, connection, _ => { });

    /// <summary>Keeps sessions in Redis on the app's existing connection (which the app keeps owning).</summary>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, IConnectionMultiplexer connection, Action<RedisSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        return builder.UseStore(_ => new RedisSessionStore(connection, Options(configure)));
    }

    /// <summary>Adds a health check that pings the Redis behind Satchel's session store.</summary>
    public static IHealthChecksBuilder AddSatchelRedis(this IHealthChecksBuilder builder, string name = "satchel-redis", HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new RedisSessionStoreHealthCheck(sp.GetRequiredService<ISessionStore>()), failureStatus, tags));
    }

    private static RedisSessionStoreOptions Options(Action<RedisSessionStoreOptions>? configure)
    {
        var options = new RedisSessionStoreOptions();
        configure?.Invoke(options);
        return options;
    }
}
