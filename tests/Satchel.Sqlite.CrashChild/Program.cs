// Commits sessions to a SQLite file from four writers until killed, and acknowledges each commit
// on standard output only after the store returned: "C <key> <n>" for a create holding n = <n>,
// "U <key> <n>" for an update that set m = <n>. The crash test kills it with SIGKILL mid-stream
// and checks that every acknowledged commit is in the file.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Satchel;
using Satchel.Sqlite;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Satchel.Sqlite.CrashChild <database file>");
    return 2;
}

using var store = new SqliteSessionStore(args[0]);
var output = TextWriter.Synchronized(Console.Out);
var counter = 0;

await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
{
    SessionKey? previous = null;
    while (true)
    {
        var n = Interlocked.Increment(ref counter);
        var now = DateTimeOffset.UtcNow;
        var key = SessionKey.FromBytes(RandomNumberGenerator.GetBytes(SessionKey.ByteLength));
        var value = Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture));
        var metadata = new SessionMetadata(now, TimeSpan.FromHours(1), now.AddDays(1), UserId: "user" + (n % 10));
        await store.CreateAsync(key, SessionRecord.FromValues(metadata, now, [new("n", value), new("pad", new byte[n % 2000 + 2])]));
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
