using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Satchel.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

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
