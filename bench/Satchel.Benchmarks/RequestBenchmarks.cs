using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http.Features;

namespace Satchel.Benchmarks;

/// <summary>
/// One whole /read and /hit request through the middleware, in process (no sockets): Satchel's
/// UseSatchel against ASP.NET Core's UseSession on DistributedMemoryCache, and no session.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private Pipeline _satchel = null!;
    private Pipeline _aspnet = null!;
    private Pipeline _none = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _satchel = await Pipeline.CreateAsync(
            s => s.AddSatchel(o => o.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz")),
            a => a.UseSatchel(),
            read: c => { _ = c.GetSession()["user"]; return Task.CompletedTask; },
            hit: c => { var s = c.GetSession(); s.Set("hits", s.Get("hits", BenchJson.Default.Int32) + 1, BenchJson.Default.Int32); return Task.CompletedTask; });
        _aspnet = await Pipeline.CreateAsync(
            s => s.AddDistributedMemoryCache().AddSession(),
            a => a.UseSession(),
            read: async c => { await c.Session.LoadAsync(); _ = c.Session.GetString("user"); },
            hit: async c => { await c.Session.LoadAsync(); c.Session.SetInt32("hits", (c.Session.GetInt32("hits") ?? 0) + 1); });
        _none = await Pipeline.CreateAsync(_ => { }, _ => { }, _ => Task.CompletedTask, _ => Task.CompletedTask);
    }

    [Benchmark(Baseline = true, Description = "no session /read")]
    public Task NoSessionRead() => _none.RunAsync("/read");

    [Benchmark(Description = "Satchel /read")]
    public Task SatchelRead() => _satchel.RunAsync("/read");

    [Benchmark(Description = "ASP.NET Core session /read")]
    public Task AspNetRead() => _aspnet.RunAsync("/read");

    [Benchmark(Description = "Satchel /hit")]
    public Task SatchelHit() => _satchel.RunAsync("/hit");

    [Benchmark(Description = "ASP.NET Core session /hit")]
    public Task AspNetHit() => _aspnet.RunAsync("/hit");

    private sealed class Pipeline
    {
        private RequestDelegate _app = null!;
        private IServiceProvider _services = null!;
        private string _cookie = "";

        public static async Task<Pipeline> CreateAsync(Action<IServiceCollection> services, Action<IApplicationBuilder> use, Func<HttpContext, Task> read, Func<HttpContext, Task> hit)
        {
            var collection = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddOptions();
            services(collection);
            var pipeline = new Pipeline { _services = collection.BuildServiceProvider() };
            var builder = new ApplicationBuilder(pipeline._services);
            use(builder);
            builder.Run(c => c.Request.Path.Value switch
            {
                "/login" => Login(c),
                "/read" => read(c),
                _ => hit(c),
            });
            pipeline._app = builder.Build();
            var login = await pipeline.SendAsync("/login");
            pipeline._cookie = login.Response.Headers.SetCookie.ToString().Split(';')[0];
            return pipeline;
        }

        public Task RunAsync(string path) => SendAsync(path);

        private static Task Login(HttpContext c)
        {
            if (c.Features.Get<ISessionFeature>() is { } feature)
            {
                feature.Session.SetString("user", "user-42");
                // The counter is read back as JSON by Satchel and as 4 bytes by ISession.GetInt32.
                if (c.RequestServices.GetService<SessionManager>() is null) feature.Session.SetInt32("hits", 0);
                else c.GetSession().Set("hits", 0, BenchJson.Default.Int32);
            }
            return Task.CompletedTask;
        }

        private async Task<HttpContext> SendAsync(string path)
        {
            await using var scope = _services.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Request.Path = path;
            if (_cookie.Length > 0) context.Request.Headers.Cookie = _cookie;
            context.Response.Body = Stream.Null;
            await _app(context);
            return context;
        }
    }
}
