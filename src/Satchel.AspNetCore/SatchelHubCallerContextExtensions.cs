using Satchel;

namespace Microsoft.AspNetCore.SignalR;

/// <summary>The caller's Satchel session in a hub method.</summary>
public static class SatchelHubCallerContextExtensions
{
    /// <summary>
    /// The caller's session for this invocation: loaded as the store holds it now, committed when
    /// the method returns. It can read and change the session the connection's cookie names, and
    /// end it (<see cref="global::Satchel.Session.Destroy"/>); it cannot start one, regenerate it or make it
    /// persistent, which need a cookie: do those on an HTTP request.
    /// </summary>
    /// <exception cref="InvalidOperationException">Outside a hub method, or without <c>AddSignalR().AddSatchel()</c>.</exception>
    public static global::Satchel.Session GetSession(this HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Satchel.AspNetCore.SatchelHubFilter.Current
            ?? throw new InvalidOperationException("No Satchel session in this hub call: add .AddSatchel() to builder.Services.AddSignalR(), and call Context.GetSession() inside a hub method.");
    }
}
