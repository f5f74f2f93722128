using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http.Features;

namespace Satchel.Benchmarks;

/// <summary>
/// One whole /read and /hit request through routing, the session middleware and a minimal-API
/// endpoint, in process (no sockets): Satchel's UseSatchel against ASP.NET Core's UseSession on
/// DistributedMemoryCache, and no session.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private Pipeline _satchel = null!;
    private Pipeline _aspnet = null!;
    private Pipeline _none = null!;
    private Pipeline _dictionary = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        // The endpoints of bench/Satchel.BenchApp (one shared file): minimal APIs taking a Session
        // (Satchel) or HttpContext (ASP.NET Core), so parameter binding and the request's DI scope count too.
        _satchel = await Pipeline.CreateAsync(
            s => s.AddSatchel(o => o.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz")),
            a => a.UseSatchel(),
            "satchel");
        _aspnet = await Pipeline.CreateAsync(s => s.AddDistributedMemoryCache().AddSession(), a => a.UseSession(), "aspnet");
        _none = await Pipeline.CreateAsync(_ => { }, _ => { }, "none");
        _dictionary = await Pipeline.CreateAsync(_ => { }, _ => { }, "dictionary");
    }

    [Benchmark(Description = "no session /bare")]
    public Task NoSessionBare() => _none.RunAsync("/bare");

    [Benchmark(Description = "Satchel /bare")]
    public Task SatchelBare() => _satchel.RunAsync("/bare");

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

    /// <summary>The floor any session adds: a cookie looked up in a dictionary, no session library (see BenchEndpoints).</summary>
    [Benchmark(Description = "dictionary /hit")]
    public Task DictionaryHit() => _dictionary.RunAsync("/hit");

    /// <summary>Runs one benchmark in a loop, for a profiler such as perf.</summary>
    public static async Task LoopAsync(string name, TimeSpan duration)
    {
        var bench = new RequestBenchmarks();
        await bench.Setup();
        Func<Task> run = name switch
        {
            "none-bare" => bench.NoSessionBare,
            "satchel-bare" => bench.SatchelBare,
            "none-read" => bench.NoSessionRead,
            "satchel-read" => bench.SatchelRead,
            "satchel-hit" => bench.SatchelHit,
            "aspnet-read" => bench.AspNetRead,
            "aspnet-hit" => bench.AspNetHit,
            "dictionary-hit" => bench.DictionaryHit,
            _ => throw new ArgumentException($"Unknown benchmark '{name}': none-bare, satchel-bare, none-read, satchel-read, satchel-hit, aspnet-read, aspnet-hit or dictionary-hit."),
        };
        var end = DateTime.UtcNow + duration;
        long count = 0;
        while (DateTime.UtcNow < end)
        {
            for (var i = 0; i < 1000; i++) await run();
            count += 1000;
        }
        Console.WriteLine($"{name}: {count} requests, {duration.TotalMilliseconds * 1e6 / count:F0} ns each");
    }

    private sealed class Pipeline
    {
        private RequestDelegate _app = null!;
        private IServiceScopeFactory _scopes = null!;
        private string _cookie = "";

        public static async Task<Pipeline> CreateAsync(Action<IServiceCollection> services, Action<IApplicationBuilder> use, string variant)
        {
            var collection = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddOptions().AddRouting()
                .AddSingleton(new System.Diagnostics.DiagnosticListener("Microsoft.AspNetCore"));
            services(collection);
            var provider = collection.BuildServiceProvider();
            var builder = new ApplicationBuilder(provider);
            builder.UseRouting();
            use(builder);
            builder.UseEndpoints(e => Bench.BenchEndpoints.Map(e, variant));
            var pipeline = new Pipeline { _app = builder.Build(), _scopes = provider.GetRequiredService<IServiceScopeFactory>() };
            var login = await pipeline.SendAsync("/login");
            pipeline._cookie = login.Response.Headers.SetCookie.ToString().Split(';')[0];
            return pipeline;
        }

        public Task RunAsync(string path) => SendAsync(path);

        // As Kestrel does: the request's DI scope is made only if something asks for it, and disposed after.
        private async Task<HttpContext> SendAsync(string path)
        {
            var context = new DefaultHttpContext { ServiceScopeFactory = _scopes };
            context.Request.Method = "GET";
            context.Request.Path = path;
            if (_cookie.Length > 0) context.Request.Headers.Cookie = _cookie;
            context.Response.Body = Stream.Null;
            await _app(context);
            if (context.Features.Get<IServiceProvidersFeature>() is IAsyncDisposable scope) await scope.DisposeAsync();
            return context;
        }
    }
}
