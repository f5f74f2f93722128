using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.AspNetCore.Tests.Support;

/// <summary>A real ASP.NET Core app with Satchel, on Kestrel at a free loopback port (or the in-memory test server for HTTPS).</summary>
public sealed class SatchelApp : IAsyncDisposable
{
    public const string Secret = "aspnet-test-secret-0123456789-abcdefghijklmnop";

    private SatchelApp(WebApplication app, Uri baseAddress, LogCollector logs)
    {
        App = app;
        BaseAddress = baseAddress;
        Logs = logs;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => App.Services;

    public MemorySessionStore? Memory => Services.GetService<ISessionStore>() as MemorySessionStore
        ?? (Services.GetService<ISessionStore>() is CountingStore { Inner: MemorySessionStore m } ? m : null);

    public static async Task<SatchelApp> StartAsync(
        Action<WebApplication> map,
        Action<SatchelOptions>? configure = null,
        Action<SatchelBuilder>? store = null,
        Action<WebApplicationBuilder>? setup = null,
        bool testServer = false,
        Action<WebApplication>? before = null,
        Action<SatchelAspNetCoreOptions>? aspNetCore = null)
    {
        var logs = new LogCollector();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        if (testServer) builder.WebHost.UseTestServer();
        else builder.WebHost.UseUrls("http://127.0.0.1:0");
        setup?.Invoke(builder);
        var satchel = builder.Services.AddSatchel(o =>
        {
            if (o.Secrets.Count == 0) o.Secrets.Add(Secret);
            configure?.Invoke(o);
        });
        store?.Invoke(satchel);

        var app = builder.Build();
        before?.Invoke(app);
        app.UseSatchel(aspNetCore);
        map(app);
        await app.StartAsync();
        var address = testServer
            ? new Uri("https://localhost/")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return new SatchelApp(app, address, logs);
    }

    /// <summary>A browser: keeps cookies, does not follow redirects.</summary>
    public HttpClient NewBrowser()
    {
        if (App.Services.GetService<IServer>() is TestServer server)
            return new HttpClient(new CookieKeepingHandler(server.CreateHandler())) { BaseAddress = BaseAddress };
        return new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    /// <summary>A client that sends only the headers a test gives it.</summary>
    public HttpClient NewRawClient()
    {
        if (App.Services.GetService<IServer>() is TestServer server) return server.CreateClient();
        return new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private sealed class CookieKeepingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly CookieContainer _cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = _cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var value in values) _cookies.SetCookies(request.RequestUri!, value);
            }
            return response;
        }
    }
}
