using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Satchel.AspNetCore;

/// <summary>
/// The request's services with its <see cref="Satchel.Session"/> answered directly. A minimal-API
/// <c>Session</c> parameter is a service, so resolving it made every request build a DI scope
/// (scope, resolved-services dictionary, disposables list, the feature) and dispose it after the
/// response — about a third of what a session request allocated. Here this feature answers
/// <c>Session</c> itself and makes the request's real scope only when something asks for any
/// other service, then hands every other call to it unchanged; what a scope would dispose
/// (the session commits) the middleware already does.
/// </summary>
internal sealed class SessionServices(Session session) : IServiceProvidersFeature, IServiceProvider, ISupportRequiredService, IKeyedServiceProvider
{
    private HttpContext? _context;
    private IServiceScopeFactory? _scopes;
    private IServiceProvidersFeature? _services;   // the request's own: found when it existed, or made on first need

    /// <summary>Serves the request's services through this feature, from the pipeline's next step on (for endpoints that take a <c>Session</c>).</summary>
    public void Serve(HttpContext context, IServiceScopeFactory scopes)
    {
        _context = context;
        _scopes = scopes;
        _services = context.Features.Get<IServiceProvidersFeature>();
        context.Features.Set<IServiceProvidersFeature>(this);
    }

    /// <summary>Gives the request back its own services feature (the one made here, if any), for the steps before the middleware.</summary>
    public void Restore(HttpContext context)
    {
        if (_context is not null) context.Features.Set(_services);
    }

    IServiceProvider IServiceProvidersFeature.RequestServices
    {
        get => this;
        set => Services.RequestServices = value;
    }

    private IServiceProvidersFeature Services => _services ??= new RequestServicesFeature(_context!, _scopes);

    public object? GetService(Type serviceType) =>
        serviceType == typeof(Session) ? session : Services.RequestServices.GetService(serviceType);

    public object GetRequiredService(Type serviceType) =>
        serviceType == typeof(Session) ? session : Services.RequestServices.GetRequiredService(serviceType);

    public object? GetKeyedService(Type serviceType, object? serviceKey) => Keyed.GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) => Keyed.GetRequiredKeyedService(serviceType, serviceKey);

    private IKeyedServiceProvider Keyed => Services.RequestServices as IKeyedServiceProvider
        ?? throw new InvalidOperationException("This request's service provider does not support keyed services.");
}
