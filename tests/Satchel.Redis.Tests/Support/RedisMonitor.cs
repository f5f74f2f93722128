using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Satchel.Redis.Tests.Support;

/// <summary>
/// Watches what clients send to a real redis-server (MONITOR), leaving out what scripts run inside
/// the server, so a test can count the commands one request costs.
/// </summary>
public sealed class RedisMonitor : IDisposable
{
    private readonly RedisServer _server;
    private readonly TcpClient _client = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Thread _reader;

    public RedisMonitor(RedisServer server)
    {
        _server = server;
        _client.Connect(IPAddress.Loopback, server.Port);
        var stream = _client.GetStream();
        stream.Write("MONITOR\r\n"u8);
        _reader = new Thread(() =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            try
            {
                while (reader.ReadLine() is { } line) _lines.Enqueue(line);
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
        }) { IsBackground = true };
        _reader.Start();
        WaitFor("satchel-monitor-ready");
    }

    /// <summary>The commands (name first) a client sent during <paramref name="action"/> that mention <paramref name="marker"/>.</summary>
    public async Task<List<string>> CaptureAsync(string marker, Func<Task> action)
    {
        WaitFor("satchel-monitor-before");
        _lines.Clear();
        await action();
        WaitFor("satchel-monitor-after");
        return _lines
            .Where(l => !l.Contains(" lua]", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("] \"", StringComparison.Ordinal) + 3)..].Split('"')[0].ToUpperInvariant())
            .ToList();
    }

    public void Dispose() => _client.Dispose();

    private void WaitFor(string echo)
    {
        var token = echo + "-" + Guid.NewGuid().ToString("N");
        _server.Command("ECHO", token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_lines.Any(l => l.Contains(token, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("MONITOR did not show " + token);
            Thread.Sleep(5);
        }
    }
}
