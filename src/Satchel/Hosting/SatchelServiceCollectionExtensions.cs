using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Satchel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Satchel in a service collection.</summary>
public static class SatchelServiceCollectionExtensions
{
    /// <summary>
    /// Adds Satchel: options bound from the configuration section <c>Satchel</c> and then
    /// <paramref name="configure"/>, the memory store unless a <c>Use…</c> call picks another,
    /// <see cref="SessionManager"/>, <see cref="SessionAdmin"/>, and <see cref="Session"/> as a
    /// service resolving to the current request's session, which the server adapter sets. Take it
    /// from the request's services (an endpoint parameter, a scoped or transient constructor), never
    /// from the root provider: the root would keep every session it handed out until shutdown.
    /// </summary>
    public static SatchelBuilder AddSatchel(this IServiceCollection services, Action<SatchelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SatchelOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SatchelOptions>, BindFromConfiguration>());
        if (configure is not null) services.Configure(configure);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISessionStore>(SatchelBuilder.DefaultStore);
        services.TryAddSingleton(sp => new SessionManager(
            sp.GetRequiredService<IOptions<SatchelOptions>>().Value,
            sp.GetRequiredService<ISessionStore>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<SessionAdmin>();
        // Transient, not scoped: the request's session is one object anyway (the adapter's), and a
        // scoped registration makes every request's DI scope build a resolved-services dictionary.
        services.TryAddTransient(_ => SessionAdapter.Current
            ?? throw new InvalidOperationException("No Satchel session in this request. Add app.UseSatchel() to the pipeline before the endpoints that use Session (with HttpListener, use SessionManager.StartAsync instead; in a SignalR hub, call Context.GetSession() after AddSignalR().AddSatchel())."));
        return new SatchelBuilder(services);
    }

    private sealed class BindFromConfiguration(IServiceProvider services) : IConfigureOptions<SatchelOptions>
    {
        public void Configure(SatchelOptions options)
        {
            // Worker apps may have no configuration at all; then code configures everything.
            if (services.GetService<IConfiguration>() is { } configuration)
                configuration.GetSection(SatchelOptions.SectionName).Bind(options);
        }
    }
}
