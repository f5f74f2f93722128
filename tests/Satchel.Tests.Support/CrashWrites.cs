using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Satchel.Tests;

/// <summary>
/// Durability under a killed app process, for any store: a child process commits sessions from
/// several writers and acknowledges each on standard output only after the store returned
/// ("C &lt;key&gt; &lt;n&gt;" for a create holding n, "U &lt;key&gt; &lt;n&gt;" for an update that
/// set m = n); the test kills it with SIGKILL mid-stream and checks every acknowledged commit is there.
/// </summary>
public static class CrashWrites
{
    /// <summary>The child's side: writes until the process is killed.</summary>
    public static Task WriteUntilKilledAsync(ISessionStore store, int writers)
    {
        var output = TextWriter.Synchronized(Console.Out);
        var counter = 0;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            SessionKey? previous = null;
            while (true)
            {
                var n = Interlocked.Increment(ref counter);
                var now = DateTimeOffset.UtcNow;
                var key = SessionKey.FromBytes(RandomNumberGenerator.GetBytes(SessionKey.ByteLength));
                var value = Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture));
                var metadata = new SessionMetadata(now, TimeSpan.FromHours(1), now.AddDays(1), UserId: "user" + (n % 10));
                var pad = Encoding.UTF8.GetBytes($"\"{new string('x', n % 2000)}\"");   // sessions of many sizes
                await store.CreateAsync(key, SessionRecord.FromValues(metadata, now, [new("n", value), new("pad", pad)]));
                output.WriteLine($"C {key} {n}");
                if (previous is { } earlier)
                {
                    var change = new SessionChange { Now = now, Values = new Dictionary<string, byte[]?> { ["m"] = value } };
                    if (await store.UpdateAsync(earlier, change)) output.WriteLine($"U {earlier} {n}");
                }
                previous = key;
            }
        })));
    }

    /// <summary>The test's side: starts the child, kills it with SIGKILL after <paramref name="acknowledgements"/> lines, and returns every line it acknowledged.</summary>
    public static async Task<List<string>> RunAndKillAsync(string childDll, IEnumerable<string> arguments, int acknowledgements)
    {
        var child = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, childDll), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var acknowledged = new List<string>();
        try
        {
            while (acknowledged.Count < acknowledgements && await child.StandardOutput.ReadLineAsync() is { } line) acknowledged.Add(line);
        }
        finally
        {
            child.Kill();   // SIGKILL on Linux: no flush, no finalizers, no clean close
        }
        // Lines already written to the pipe before the kill were acknowledged too.
        while (await child.StandardOutput.ReadLineAsync() is { } line) acknowledged.Add(line);
        await child.WaitForExitAsync();
        Assert.True(acknowledged.Count >= acknowledgements, $"the child stopped early: {await child.StandardError.ReadToEndAsync()}");
        Assert.Equal(137, child.ExitCode);   // 128 + SIGKILL
        return acknowledged;
    }

    /// <summary>Every create and update the child acknowledged is in <paramref name="store"/>.</summary>
    public static async Task AssertAllPresentAsync(ISessionStore store, IReadOnlyList<string> acknowledged)
    {
        var updated = acknowledged.Where(l => l[0] == 'U').Select(Parse).ToDictionary(u => u.Key, u => u.N);
        Assert.NotEmpty(updated);
        var now = DateTimeOffset.UtcNow;
        foreach (var (key, n) in acknowledged.Where(l => l[0] == 'C').Select(Parse))
        {
            var record = await store.LoadAsync(SessionKey.Parse(key), now, TimeSpan.FromDays(1));
            Assert.NotNull(record);
            Assert.Equal(n, Number(record, "n"));
            if (updated.TryGetValue(key, out var m)) Assert.Equal(m, Number(record, "m"));
        }
    }

    private static (string Key, int N) Parse(string line)
    {
        var parts = line.Split(' ');
        return (parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static int Number(SessionRecord record, string key) =>
        record.TryGetValue(key, out var json) ? int.Parse(Encoding.UTF8.GetString(json), CultureInfo.InvariantCulture) : -1;
}
