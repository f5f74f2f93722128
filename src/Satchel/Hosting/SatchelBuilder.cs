using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Satchel;

/// <summary>Chooses Satchel's store: <c>AddSatchel().UseRedis(...)</c> and the like extend it.</summary>
public sealed class SatchelBuilder
{
    internal SatchelBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection Satchel registers into.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses the store <paramref name="factory"/> makes (one per application).</summary>
    public SatchelBuilder UseStore(Func<IServiceProvider, ISessionStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<ISessionStore>();
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>Keeps sessions in this process's memory (the default), with these store settings.</summary>
    public SatchelBuilder UseMemory(Action<MemorySessionStoreOptions>? configure = null)
    {
        var options = new MemorySessionStoreOptions();
        configure?.Invoke(options);
        options.Validate();
        return UseStore(services => new MemorySessionStore(options, services.GetService<TimeProvider>()));
    }

    /// <summary>
    /// Keeps each session sealed in its browser's cookies (AES-256-GCM, keys derived from
    /// <see cref="SatchelOptions.Secrets"/>): no server state, at most about 3 KB of session.
    /// See <see cref="CookieSessionStore"/> for what a stateless session cannot do.
    /// </summary>
    public SatchelBuilder UseCookies(Action<CookieSessionStoreOptions>? configure = null)
    {
        var options = new CookieSessionStoreOptions();
        configure?.Invoke(options);
        return UseStore(services => new CookieSessionStore(services.GetRequiredService<IOptions<SatchelOptions>>().Value, options));
    }

    internal static ISessionStore DefaultStore(IServiceProvider services) => new MemorySessionStore(null, services.GetService<TimeProvider>());
}
