using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore;

namespace Satchel;

/// <summary>ASP.NET Core additions to <see cref="SatchelBuilder"/>.</summary>
public static class SatchelBuilderAspNetCoreExtensions
{
    /// <summary>
    /// Carries live ASP.NET Core sessions over when an app switches from <c>AddSession()</c> to
    /// Satchel, so nobody is signed out: a request with a valid ASP.NET Core session cookie gets a
    /// new Satchel session holding the old session's values, Satchel's cookie, and the old cookie
    /// expired. Needs what the old app used: the same Data Protection keys and application name,
    /// and the same <see cref="IDistributedCache"/> registered. See docs/migration.md.
    /// </summary>
    public static SatchelBuilder ImportAspNetCoreSessions(this SatchelBuilder builder, Action<AspNetCoreSessionImportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AspNetCoreSessionImportOptions();
        configure?.Invoke(options);
        ArgumentException.ThrowIfNullOrEmpty(options.CookieName);
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton(services => new AspNetCoreSessionImporter(
            services.GetRequiredService<IDataProtectionProvider>(),
            services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                "ImportAspNetCoreSessions() reads the old sessions from the IDistributedCache the old app used, but none is registered: keep its registration (AddStackExchangeRedisCache, AddDistributedSqlServerCache, …)."),
            options,
            services.GetRequiredService<ILogger<AspNetCoreSessionImporter>>()));
        return builder;
    }
}
