// The app bench/load.sh drives: the same endpoints on Satchel, on ASP.NET Core's own
// session, or on no session at all, over the same kind of store.
//   dotnet Satchel.BenchApp.dll --variant satchel|aspnet|none|dictionary|storeonly[-load|-cookie] --store memory|redis|postgres|sqlite|cookie|distcache [--redis host:port] [--postgres connection-string] --urls http://127.0.0.1:PORT
//   sqlite: Satchel's SQLite store against ASP.NET Core session on an SQLite IDistributedCache (NeoSmart.Caching.Sqlite);
//   cookie: Satchel's cookie store against ASP.NET Core session in memory (it has no cookie store);
//   distcache: Satchel's IDistributedCache store and ASP.NET Core session, both on RedisCache.
//   dictionary: no session library, a cookie looked up in a dictionary: the floor any session adds (memory only).
//   storeonly: Satchel's cookie check and memory store called by the /hit endpoint itself, without
//     UseSatchel or Session (storeonly-load and storeonly-cookie stop earlier): what the layers under the API cost.
//   --allocations true prints the types allocated most, sampled, when the app stops.
//   (Satchel on Redis: --readOnThreadPool false reads replies on StackExchange.Redis's own threads, RedisSessionStoreOptions.ReadOnThreadPool)
using Satchel;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var variant = builder.Configuration["variant"] ?? "satchel";
var store = builder.Configuration["store"] ?? "memory";
var redis = builder.Configuration["redis"] ?? "127.0.0.1:6379";

switch (variant)
{
    case "satchel" or "storeonly" or "storeonly-load" or "storeonly-cookie":
        var satchel = builder.Services.AddSatchel(o => o.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        if (variant == "satchel") builder.Services.AddSignalR().AddSatchel();   // bench/hub.sh
        switch (store)
        {
            case "redis":
                var readOnThreadPool = builder.Configuration["readOnThreadPool"] != "false";
                satchel.UseRedis(redis, o => { o.KeyPrefix = "bench:satchel:"; o.ReadOnThreadPool = readOnThreadPool; });
                break;
            case "postgres":
                satchel.UsePostgres(builder.Configuration["postgres"]);
                break;
            case "sqlite":
                satchel.UseSqlite(Path.Combine(Path.GetTempPath(), $"satchel-bench-{Environment.ProcessId}.db"));
                break;
            case "cookie":
                satchel.UseCookies();
                break;
            case "distcache":
                builder.Services.AddStackExchangeRedisCache(o => { o.Configuration = redis; o.InstanceName = "bench:satchel-dc:"; });
                satchel.UseDistributedCache();
                break;
        }
        break;
    case "aspnet":
        if (store is "redis" or "distcache") builder.Services.AddStackExchangeRedisCache(o => { o.Configuration = redis; o.InstanceName = "bench:aspnet:"; });
        else if (store == "sqlite") builder.Services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(_ =>
            new NeoSmart.Caching.Sqlite.SqliteCache(new NeoSmart.Caching.Sqlite.SqliteCacheOptions { CachePath = Path.Combine(Path.GetTempPath(), $"aspnet-bench-{Environment.ProcessId}.db") }));
        else builder.Services.AddDistributedMemoryCache();
        builder.Services.AddSession(o => o.IdleTimeout = TimeSpan.FromMinutes(30));
        break;
}

using var allocations = builder.Configuration["allocations"] == "true" ? new Satchel.Bench.AllocationSampler() : null;
var app = builder.Build();
if (allocations is not null) app.Lifetime.ApplicationStopped.Register(() => allocations.Print(Console.Out));
if (variant == "satchel")
{
    app.UseSatchel();
    app.MapHub<Satchel.Bench.BenchHub>("/hub");
}
else if (variant.StartsWith("storeonly", StringComparison.Ordinal)) app.UseWhen(c => c.Request.Path == "/login", login => login.UseSatchel());
else if (variant == "aspnet") app.UseSession();
Satchel.Bench.BenchEndpoints.Map(app, variant);

app.Run();
