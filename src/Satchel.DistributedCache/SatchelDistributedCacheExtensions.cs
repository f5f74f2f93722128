using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Satchel.DistributedCache;

namespace Satchel;

/// <summary>Puts Satchel's sessions in the app's <see cref="IDistributedCache"/>.</summary>
public static class SatchelDistributedCacheExtensions
{
    /// <summary>
    /// Keeps sessions in the <see cref="IDistributedCache"/> the app registered
    /// (<c>AddStackExchangeRedisCache</c>, <c>AddDistributedSqlServerCache</c>, …). Such a cache
    /// cannot apply change sets atomically: see <see cref="DistributedCacheSessionStore"/> for what
    /// that costs. A shared cache needs configured <see cref="SatchelOptions.Secrets"/>.
    /// </summary>
    public static SatchelBuilder UseDistributedCache(this SatchelBuilder builder, Action<DistributedCacheSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DistributedCacheSessionStoreOptions();
        configure?.Invoke(options);
        return builder.UseStore(services => new DistributedCacheSessionStore(
            services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                "UseDistributedCache() keeps sessions in the app's IDistributedCache, but none is registered. Register one first: " +
                "services.AddStackExchangeRedisCache(...), services.AddDistributedSqlServerCache(...) or, in one process, services.AddDistributedMemoryCache()."),
            options));
    }
}
