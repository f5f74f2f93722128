// Memory per idle session: creates N sessions of two small values and reports the growth of the
// managed heap and of the process's resident set per session.
//   dotnet bench/Satchel.MemoryBench/bin/Release/net10.0/Satchel.MemoryBench.dll satchel|aspnet N
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Satchel;

var variant = args.Length > 0 ? args[0] : "satchel";
var count = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;

object keepAlive;
var (heap0, rss0) = Measure();
switch (variant)
{
    case "satchel":
    {
        var options = new SatchelOptions();
        options.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
        var store = new MemorySessionStore();
        var manager = new SessionManager(options, store);
        for (var i = 0; i < count; i++)
        {
            var session = manager.Open(null, false, null);
            session["user"] = "user-42";
            session["cart"] = "3";
            await session.CommitAsync();
        }
        keepAlive = store;
        break;
    }
    case "aspnet":
    {
        // ASP.NET Core's session on its in-memory distributed cache, committed the way its middleware does.
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        for (var i = 0; i < count; i++)
        {
            var session = new DistributedSession(cache, Guid.NewGuid().ToString(), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1), () => true, NullLoggerFactory.Instance, isNewSessionKey: true);
            session.SetString("user", "user-42");
            session.SetString("cart", "3");
            await session.CommitAsync();
        }
        keepAlive = cache;
        break;
    }
    default:
        throw new ArgumentException("variant: satchel or aspnet");
}
var (heap1, rss1) = Measure();
GC.KeepAlive(keepAlive);
Console.WriteLine($"{variant}\t{count}\theap {(heap1 - heap0) / (double)count:0} B/session\trss {(rss1 - rss0) / (double)count:0} B/session\ttotal rss {rss1 / 1048576.0:0} MiB");

static (long Heap, long Rss) Measure()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    using var process = Process.GetCurrentProcess();
    process.Refresh();
    return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
}
