using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Satchel;
using Satchel.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for Satchel.</summary>
public static class SatchelHealthCheckExtensions
{
    /// <summary>
    /// Adds a health check of Satchel's session store, whatever it is (memory, Redis, SQLite,
    /// IDistributedCache, cookie): it loads a random key through the store, as a request would,
    /// and reports the store's own error when that fails.
    /// </summary>
    public static IHealthChecksBuilder AddSatchelStore(this IHealthChecksBuilder builder, string name = "satchel-store", HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new SatchelStoreHealthCheck(services.GetRequiredService<ISessionStore>(), services.GetService<TimeProvider>() ?? TimeProvider.System),
            failureStatus,
            tags,
            timeout));
    }
}
