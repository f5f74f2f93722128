using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>
/// UseSatchel answers the Session service itself and makes the request's DI scope only when
/// something asks for another service: these pin that the scope behaves as ASP.NET Core's own
/// (one per request, disposed after it, keyed services, a provider set before Satchel honoured).
/// </summary>
public class RequestServicesTests
{
    [Fact]
    public async Task A_request_that_asks_only_for_its_Session_makes_no_DI_scope()
    {
        // ASP.NET Core makes the services feature (and with it the scope) on first use of RequestServices.
        var servicesAfter = new List<IServiceProvidersFeature?>();
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session session) => { session.Set("n", session.Get<int>("n") + 1); return session.Get<int>("n").ToString(); }),
            before: a => a.Use(async (context, next) =>
            {
                await next(context);
                servicesAfter.Add(context.Features.Get<IServiceProvidersFeature>());
            }));
        using var browser = app.NewBrowser();
        Assert.Equal("1", await browser.GetStringAsync("/"));
        Assert.Equal("2", await browser.GetStringAsync("/"));
        Assert.Equal([null, null], servicesAfter);
    }

    [Fact]
    public async Task Other_services_come_from_one_scope_per_request_that_is_disposed_after_it()
    {
        var seen = new List<Scoped>();
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session session, Scoped first, HttpContext http) =>
            {
                seen.Add(first);
                Assert.Same(first, http.RequestServices.GetRequiredService<Scoped>());
                Assert.Same(session, http.RequestServices.GetRequiredService<Session>());
                Assert.Same(session, http.GetSession());
                Assert.False(first.Disposed);
                session["v"] = "x";
                return "ok";
            }),
            setup: b => b.Services.AddScoped<Scoped>());
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/");
        await browser.GetStringAsync("/");
        Assert.Equal(2, seen.Count);
        Assert.NotSame(seen[0], seen[1]);
        Assert.All(seen, s => Assert.True(s.Disposed));
    }

    [Fact]
    public async Task Keyed_services_and_a_service_that_takes_the_Session_resolve_through_the_request()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", ([FromKeyedServices("k")] Scoped keyed, NeedsSession needs, Session session) =>
            {
                session["v"] = "x";
                return (keyed.Key == "k" && ReferenceEquals(needs.Session, session)).ToString();
            }),
            setup: b =>
            {
                b.Services.AddKeyedScoped("k", (_, key) => new Scoped { Key = (string?)key });
                b.Services.AddScoped<NeedsSession>();
            });
        using var browser = app.NewBrowser();
        Assert.Equal("True", await browser.GetStringAsync("/"));
    }

    [Fact]
    public async Task Services_a_middleware_before_Satchel_set_are_the_ones_the_endpoint_gets()
    {
        var outer = new Scoped { Key = "outer" };
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Scoped scoped, Session session) => scoped.Key + "/" + (session is not null)),
            setup: b => b.Services.AddScoped<Scoped>(),
            before: a => a.Use(async (context, next) =>
            {
                var services = new ServiceCollection().AddSingleton(outer).BuildServiceProvider();
                context.RequestServices = services;
                await next(context);
                // After Satchel, the request's services are what this middleware set.
                Assert.Same(services, context.RequestServices);
                Assert.IsNotType<SatchelSessionFeature>(context.Features.Get<IServiceProvidersFeature>());
            }));
        using var browser = app.NewBrowser();
        Assert.Equal("outer/True", await browser.GetStringAsync("/"));
    }

    public sealed class Scoped : IDisposable
    {
        public string? Key { get; init; }

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed class NeedsSession(Session session)
    {
        public Session Session { get; } = session;
    }
}
