using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel;
using Satchel.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Satchel to an ASP.NET Core pipeline.</summary>
public static class SatchelApplicationBuilderExtensions
{
    /// <summary>
    /// Gives every request a Satchel session: <c>HttpContext.Session</c>, <c>HttpContext.GetSession()</c>
    /// and <see cref="global::Satchel.Session"/> parameters. Put it before the endpoints that use sessions. Checks
    /// the options now, so a misconfiguration stops the app at startup. With
    /// <see cref="SatchelAspNetCoreOptions.RegenerateOnSignIn"/> (the default), every cookie authentication
    /// scheme's sign-in rotates the session token and its sign-out destroys the session.
    /// </summary>
    /// <param name="app">The pipeline.</param>
    /// <param name="configure">
    /// Sets what only ASP.NET Core does (<see cref="SatchelAspNetCoreOptions"/>), after the
    /// configuration section <c>Satchel</c> (<c>Satchel:CommitOnServerError</c> and the others) was read.
    /// </param>
    /// <exception cref="InvalidOperationException"><c>AddSatchel()</c> was not called, or the options are invalid.</exception>
    public static IApplicationBuilder UseSatchel(this IApplicationBuilder app, Action<SatchelAspNetCoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<SessionManager>() is null)
            throw new InvalidOperationException("Satchel's services are missing: call builder.Services.AddSatchel() before app.UseSatchel().");
        // A left-over AddSession() beside Satchel: its UseSession() would take HttpContext.Session back.
        if (app.ApplicationServices.GetService<Microsoft.AspNetCore.Session.ISessionStore>() is not null)
            Log.AspNetCoreSessionRegistered(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Satchel"));
        var options = new SatchelAspNetCoreOptions();
        // Worker apps may have no configuration at all; then code configures everything.
        app.ApplicationServices.GetService<IConfiguration>()?.GetSection(SatchelOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        if (options.RegenerateOnSignIn)
            SignInRotation.Hook(app.ApplicationServices, app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Satchel"));
        return app.UseMiddleware<SatchelMiddleware>(options);
    }
}
