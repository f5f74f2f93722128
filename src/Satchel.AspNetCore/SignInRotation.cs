using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Satchel.AspNetCore;

/// <summary>
/// <see cref="SatchelAspNetCoreOptions.RegenerateOnSignIn"/>: ASP.NET Core authentication's sign-in rotates the
/// session token and its sign-out destroys the session, so no app can forget either (session
/// fixation, Passport's CVE-2022-25896). Hooked into every cookie authentication scheme's
/// <c>OnSigningIn</c>/<c>OnSigningOut</c> — the scheme every browser sign-in goes through, ASP.NET
/// Core Identity's and external logins' included — ahead of the app's own handlers, so those
/// already see the new session. Satchel.AspNetCore is wired by <c>UseSatchel()</c> alone, so it
/// hooks the schemes' options there, once they are built.
/// </summary>
internal static class SignInRotation
{
    // The events objects already hooked: options rebuilt on reload come with new ones.
    private static readonly ConditionalWeakTable<CookieAuthenticationEvents, object> Hooked = [];

    public static void Hook(IServiceProvider services, ILogger logger)
    {
        if (services.GetService<IAuthenticationSchemeProvider>() is not { } schemes
            || services.GetService<IOptionsMonitor<CookieAuthenticationOptions>>() is not { } monitor) return;
        // The default provider answers from memory; the task is already complete.
        var cookieSchemes = schemes.GetAllSchemesAsync().GetAwaiter().GetResult()
            .Where(s => typeof(CookieAuthenticationHandler).IsAssignableFrom(s.HandlerType))
            .Select(s => s.Name)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in cookieSchemes) HookScheme(monitor.Get(name), name, logger);
        monitor.OnChange((options, name) =>
        {
            if (name is not null && cookieSchemes.Contains(name)) HookScheme(options, name, logger);
        });
    }

    private static void HookScheme(CookieAuthenticationOptions options, string scheme, ILogger logger)
    {
        if (options.EventsType is not null)
        {
            // The handler takes its events from DI then, an object made per request that Satchel cannot reach.
            Log.EventsTypeNotHooked(logger, scheme, options.EventsType.Name);
            return;
        }
        var events = options.Events;
        if (!Hooked.TryAdd(events, scheme)) return;
        var signingIn = events.OnSigningIn;
        var signingOut = events.OnSigningOut;
        events.OnSigningIn = async context =>
        {
            if (SessionOf(context.HttpContext) is { } session) await session.RegenerateAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
            await signingIn(context).ConfigureAwait(false);
        };
        events.OnSigningOut = context =>
        {
            SessionOf(context.HttpContext)?.Destroy();
            return signingOut(context);
        };
    }

    // Null when UseSatchel() did not run for this request: then it has no session to rotate.
    private static Session? SessionOf(HttpContext context) => (context.Features.Get<ISessionFeature>() as SatchelSessionFeature)?.Session;
}
