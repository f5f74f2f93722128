// The app bench/load.sh drives: the same four endpoints on Satchel, on ASP.NET Core's own
// session, or on no session at all, over the same kind of store.
//   dotnet Satchel.BenchApp.dll --variant satchel|aspnet|none --store memory|redis [--redis host:port] --urls http://127.0.0.1:PORT
//   (Satchel on Redis: --readOnThreadPool true reads replies on the thread pool, RedisSessionStoreOptions.ReadOnThreadPool)
using Satchel;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var variant = builder.Configuration["variant"] ?? "satchel";
var store = builder.Configuration["store"] ?? "memory";
var redis = builder.Configuration["redis"] ?? "127.0.0.1:6379";

switch (variant)
{
    case "satchel":
        var satchel = builder.Services.AddSatchel(o => o.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        if (store == "redis")
        {
            var readOnThreadPool = builder.Configuration["readOnThreadPool"] == "true";
            satchel.UseRedis(redis, o => { o.KeyPrefix = "bench:satchel:"; o.ReadOnThreadPool = readOnThreadPool; });
        }
        break;
    case "aspnet":
        if (store == "redis") builder.Services.AddStackExchangeRedisCache(o => { o.Configuration = redis; o.InstanceName = "bench:aspnet:"; });
        else builder.Services.AddDistributedMemoryCache();
        builder.Services.AddSession(o => o.IdleTimeout = TimeSpan.FromMinutes(30));
        break;
}

var app = builder.Build();
if (variant == "satchel") app.UseSatchel();
else if (variant == "aspnet") app.UseSession();
Satchel.Bench.BenchEndpoints.Map(app, variant);

app.Run();
