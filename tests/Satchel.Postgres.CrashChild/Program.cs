// Commits sessions to PostgreSQL from eight writers until killed, and acknowledges each commit on
// standard output only after the store returned: "C <key> <n>" for a create holding n = <n>,
// "U <key> <n>" for an update that set m = <n>. The crash test kills it with SIGKILL mid-stream
// and checks that every acknowledged commit is in the database.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Satchel.Postgres;
using Satchel.Stores;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Satchel.Postgres.CrashChild <connection string> <table>");
    return 2;
}

await using var store = PostgresSessionStore.Connect(args[0], new PostgresSessionStoreOptions { TableName = args[1] });
var output = TextWriter.Synchronized(Console.Out);
var counter = 0;

await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
{
    SessionKey? previous = null;
    while (true)
    {
        var n = Interlocked.Increment(ref counter);
        var now = DateTimeOffset.UtcNow;
        var key = SessionKey.FromBytes(RandomNumberGenerator.GetBytes(SessionKey.ByteLength));
        var value = Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture));
        var metadata = new SessionMetadata(now, TimeSpan.FromHours(1), now.AddDays(1), UserId: "user" + (n % 10));
        await store.CreateAsync(key, SessionRecord.FromValues(metadata, now, [new("n", value), new("pad", Encoding.UTF8.GetBytes($"\"{new string('x', n % 2000)}\""))]));
        output.WriteLine($"C {key} {n}");
        if (previous is { } earlier)
        {
            var change = new SessionChange { Now = now, Values = new Dictionary<string, byte[]?> { ["m"] = value } };
            if (await store.UpdateAsync(earlier, change)) output.WriteLine($"U {earlier} {n}");
        }
        previous = key;
    }
})));
return 0;
