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
app.MapGet("/bare", () => "ok");

switch (variant)
{
    case "satchel":
        app.UseSatchel();
        app.MapGet("/login", (Session s) => { s["user"] = "user-42"; s.Set("hits", 0); return "ok"; });
        app.MapGet("/read", (Session s) => s["user"] ?? "none");
        app.MapGet("/hit", (Session s) =>
        {
            var hits = s.Get<int>("hits") + 1;
            s.Set("hits", hits);
            return hits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        break;
    case "aspnet":
        app.UseSession();
        app.MapGet("/login", async (HttpContext c) =>
        {
            await c.Session.LoadAsync();
            c.Session.SetString("user", "user-42");
            c.Session.SetInt32("hits", 0);
            return "ok";
        });
        app.MapGet("/read", async (HttpContext c) =>
        {
            await c.Session.LoadAsync();
            return c.Session.GetString("user") ?? "none";
        });
        app.MapGet("/hit", async (HttpContext c) =>
        {
            await c.Session.LoadAsync();
            var hits = (c.Session.GetInt32("hits") ?? 0) + 1;
            c.Session.SetInt32("hits", hits);
            return hits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        break;
    default:
        app.MapGet("/login", () => "ok");
        app.MapGet("/read", () => "user-42");
        app.MapGet("/hit", () => "1");
        break;
}

app.Run();
