using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Satchel;
using Satchel.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Satchel to an ASP.NET Core pipeline.</summary>
public static class SatchelApplicationBuilderExtensions
{
    /// <summary>
    /// Gives every request a Satchel session: <c>HttpContext.Session</c>, <c>HttpContext.GetSession()</c>
    /// and <see cref="global::Satchel.Session"/> parameters. Put it before the endpoints that use sessions. Checks
    /// the options now, so a misconfiguration stops the app at startup.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddSatchel()</c> was not called, or the options are invalid.</exception>
    public static IApplicationBuilder UseSatchel(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<SessionManager>() is null)
            throw new InvalidOperationException("Satchel's services are missing: call builder.Services.AddSatchel() before app.UseSatchel().");
        return app.UseMiddleware<SatchelMiddleware>();
    }
}

/// <summary>Reaches the Satchel session from an <see cref="HttpContext"/>.</summary>
public static class SatchelHttpContextExtensions
{
    /// <summary>The request's Satchel session.</summary>
    /// <exception cref="InvalidOperationException"><c>app.UseSatchel()</c> did not run for this request.</exception>
    public static global::Satchel.Session GetSession(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (context.Features.Get<ISessionFeature>() as SatchelSessionFeature)?.Session
            ?? throw new InvalidOperationException("No Satchel session in this request: add app.UseSatchel() to the pipeline before this endpoint or middleware.");
    }
}
