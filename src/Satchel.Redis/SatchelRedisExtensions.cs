using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Satchel.Redis;
using StackExchange.Redis;

namespace Satchel;

/// <summary>Puts Satchel's sessions in Redis.</summary>
public static class SatchelRedisExtensions
{
    private const string ConfigurationKey = "Satchel:Redis:Configuration";

    /// <summary>
    /// Keeps sessions in Redis, connecting with the StackExchange.Redis configuration string found
    /// in configuration: <c>Satchel:Redis:Configuration</c> (environment variable
    /// <c>Satchel__Redis__Configuration</c>), else the connection string <c>ConnectionStrings:Redis</c>.
    /// Store settings bind from the section <c>Satchel:Redis</c> (<c>KeyPrefix</c>, <c>LockLease</c>,
    /// <c>Database</c>, <c>ReadOnThreadPool</c>), then the settings given in code. Needs configured
    /// <see cref="SatchelOptions.Secrets"/>, shared by every app process.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when configuration gives no Redis connection.</exception>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder) => UseRedis(builder, (string?)null, _ => { });

    /// <summary>Keeps sessions in Redis as configured (see <see cref="UseRedis(SatchelBuilder)"/>), with store settings set in code after those bound.</summary>
    /// <exception cref="InvalidOperationException">At start-up, when configuration gives no Redis connection.</exception>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, Action<RedisSessionStoreOptions> configure) => UseRedis(builder, (string?)null, configure);

    /// <summary>
    /// Keeps sessions in Redis, connecting with a StackExchange.Redis configuration string
    /// (<c>"127.0.0.1:6379"</c>, <c>"host1:6379,host2:6379,password=…"</c>); null or empty takes it
    /// from configuration as <see cref="UseRedis(SatchelBuilder)"/>
    /// does. Needs configured <see cref="SatchelOptions.Secrets"/>, shared by every app process.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when neither the argument nor configuration gives a Redis connection.</exception>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, string? configuration) =>
        UseRedis(builder, configuration, _ => { });

    /// <summary>Keeps sessions in Redis (see <see cref="UseRedis(SatchelBuilder, string)"/>), with store settings such as the key prefix.</summary>
    /// <exception cref="InvalidOperationException">At start-up, when neither the argument nor configuration gives a Redis connection.</exception>
    public static SatchelBuilder UseRedis(this SatchelBuilder builder, string? configuration, Action<RedisSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseStore(services =>
        {
            var settings = services.GetService<IConfiguration>();
            var options = new RedisSessionStoreOptions();
            settings?.GetSection("Satchel:Redis").Bind(options);
            configure(options);
            var connection = NonEmpty(configuration) ?? NonEmpty(settings?[ConfigurationKey]) ?? NonEmpty(settings?.GetConnectionString("Redis"))
                ?? throw new InvalidOperationException(
                    "The Redis session store has no connection to Redis: UseRedis was given none, and configuration has neither Satchel:Redis:Configuration " +
                    "(environment variable Satchel__Redis__Configuration) nor ConnectionStrings:Redis. Set one of them to a StackExchange.Redis configuration string " +
                    "such as \"127.0.0.1:6379\" or \"host:6380,ssl=true,password=…\", or pass it: UseRedis(\"127.0.0.1:6379\").");
            return RedisSessionStore.Connect(connection, options);
        });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

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

    private static RedisSessionStoreOptions Options(Action<RedisSessionStoreOptions> configure)
    {
        var options = new RedisSessionStoreOptions();
        configure?.Invoke(options);
        return options;
    }
}
