// Memory per idle session: fills one store with sessions of two small values up to each checkpoint
// (default 100k, then 1M) and reports, per session, the growth of the managed heap and of the
// process's resident set since start, and the RSS growth between the checkpoints.
//   dotnet bench/Satchel.MemoryBench/bin/Release/net10.0/Satchel.MemoryBench.dll satchel|aspnet [100000,1000000]
//
// Why the slope: the GC keeps up to 128 MiB committed as its allocation budget (GCGen0MaxBudget
// here) once the process has allocated briskly, whatever the session count — every busy server holds
// it. Growth from start includes that once; the growth from one checkpoint to the next is what
// each further session costs.
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Session;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Satchel;

var variant = args.Length > 0 ? args[0] : "satchel";
var checkpoints = (args.Length > 1 ? args[1] : "100000,1000000").Split(',').Select(int.Parse).ToArray();
Func<Task> addSession = variant switch
{
    "satchel" => SatchelSessions(),
    "aspnet" => AspNetSessions(),
    _ => throw new ArgumentException("variant: satchel or aspnet"),
};

var (rss0, heap0) = Measure();
var (count, rssBefore, countBefore) = (0, rss0, 0);
foreach (var checkpoint in checkpoints)
{
    for (; count < checkpoint; count++) await addSession();
    var (rss, heap) = Measure();
    Console.WriteLine(string.Join('\t',
        variant, count,
        $"heap {(heap - heap0) / (double)count:0} B/session",
        $"rss since start {(rss - rss0) / (double)count:0} B/session",
        countBefore == 0 ? "" : $"rss {countBefore / 1000}k→{count / 1000}k {(rss - rssBefore) / (double)(count - countBefore):0} B/session",
        $"process rss {rss / 1048576.0:0} MiB (at start {rss0 / 1048576.0:0} MiB)"));
    (rssBefore, countBefore) = (rss, count);
}

static Func<Task> SatchelSessions()
{
    var options = new SatchelOptions();
    options.Secrets.Add("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
    var manager = new SessionManager(options, new MemorySessionStore());
    return async () =>
    {
        var session = manager.Open(null, false, null);
        session["user"] = "user-42";
        session["cart"] = "3";
        await session.CommitAsync();
    };
}

static Func<Task> AspNetSessions()
{
    // ASP.NET Core's session on its in-memory distributed cache, committed the way its middleware does.
    var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
    return async () =>
    {
        var session = new DistributedSession(cache, Guid.NewGuid().ToString(), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1), () => true, NullLoggerFactory.Instance, isNewSessionKey: true);
        session.SetString("user", "user-42");
        session.SetString("cart", "3");
        await session.CommitAsync();
    };
}

static (long Rss, long Heap) Measure()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    using var process = Process.GetCurrentProcess();
    return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
}
