using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Satchel;
using Satchel.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Satchel's sessions in SignalR hubs.</summary>
public static class SatchelSignalRExtensions
{
    /// <summary>
    /// Gives every hub invocation the caller's Satchel session (<c>Context.GetSession()</c>): the
    /// session the connection's cookie names, as the store holds it at the call, with the call's
    /// changes committed as one change set when it returns. Parallel HTTP requests of the same
    /// browser keep their own writes. When the session ends in this process (sign-out, revocation,
    /// sign-in elsewhere, expiry), its connections are closed (<see cref="SatchelHubOptions.CloseOnSessionEnd"/>).
    /// Needs <c>AddSatchel()</c>. See docs/realtime.md.
    /// </summary>
    public static ISignalRServerBuilder AddSatchel(this ISignalRServerBuilder builder, Action<SatchelHubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SatchelHubOptions>();
        if (configure is not null) options.Configure(configure);
        builder.Services.TryAddSingleton<LiveConnections>();
        builder.Services.TryAddSingleton<SatchelHubFilter>();
        builder.Services.Configure<HubOptions>(o => o.AddFilter<SatchelHubFilter>());
        return builder;
    }
}
