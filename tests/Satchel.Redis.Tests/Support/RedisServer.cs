using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Satchel.Redis.Tests.Support;

/// <summary>
/// A real Redis-compatible server on a free loopback port, in its own temporary folder: redis-server
/// when it is installed, else Microsoft Garnet hosted in this process (<see cref="Backend"/>), so a
/// machine with only the .NET SDK runs the Redis tests too. SATCHEL_REDIS=garnet picks Garnet anyway.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string[] _extraArgs;
    private Process? _process;
    private GarnetHost? _garnet;

    public RedisServer(string[]? extraArgs = null, int? port = null)
    {
        _extraArgs = extraArgs ?? [];
        Port = port ?? FreePort();
        Directory = System.IO.Directory.CreateTempSubdirectory("satchel-redis-").FullName;
        Start();
    }

    public int Port { get; }

    public string Directory { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Which server the tests of this run talk to: "redis-server" or "garnet".</summary>
    public static string Backend { get; } =
        Environment.GetEnvironmentVariable("SATCHEL_REDIS") is "garnet" || FindExecutable() is null ? "garnet" : "redis-server";

    public static bool IsGarnet => Backend == "garnet";

    private static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public void Start()
    {
        if (IsGarnet)
        {
            // Durable as the redis-server below is: every write logged before it is acknowledged.
            _garnet = new GarnetHost(Port, Directory, durable: true, _extraArgs);
            return;
        }
        var args = new List<string>
        {
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", Directory, "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no", "--daemonize", "no",
            "--logfile", Path.Combine(Directory, "redis.log"),
        };
        args.AddRange(_extraArgs);
        _process = Process.Start(new ProcessStartInfo(FindExecutable()!, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var waited = Stopwatch.StartNew();
        while (Command("PING") != "+PONG")
        {
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(20))
                throw new InvalidOperationException($"redis-server on port {Port} did not start: {File.ReadAllText(Path.Combine(Directory, "redis.log"))}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the server the hard way (SIGKILL; Garnet: stopped at once): only what it had acknowledged and logged survives.</summary>
    public void Kill()
    {
        _garnet?.Dispose();
        _garnet = null;
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>Sends one command on a fresh connection and returns the raw first reply (or null when nothing answers).</summary>
    public string? Command(params string[] parts)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            var request = new StringBuilder($"*{parts.Length}\r\n");
            foreach (var part in parts) request.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
            stream.Write(Encoding.UTF8.GetBytes(request.ToString()));
            return ReadReply(stream);
        }
        catch (SocketException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Calls per command since the server started (INFO commandstats).</summary>
    public Dictionary<string, long> CommandStats()
    {
        var info = Command("INFO", "commandstats") ?? "";
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in info.Split("\r\n"))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal)) continue;
            var name = line["cmdstat_".Length..line.IndexOf(':')];
            var calls = line.Split(':')[1].Split(',')[0]["calls=".Length..];
            stats[name] = long.Parse(calls);
        }
        return stats;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException) { }
    }

    public static int FreePort(int busOffset = 0)
    {
        while (true)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (busOffset == 0) return port;
            if (port + busOffset > 65535) continue;
            try
            {
                var bus = new TcpListener(IPAddress.Loopback, port + busOffset);
                bus.Start();
                bus.Stop();
                return port;
            }
            catch (SocketException) { }
        }
    }

    private static string ReadReply(NetworkStream stream)
    {
        var line = ReadLine(stream);
        if (line.Length == 0 || line[0] != '$') return line;
        var length = int.Parse(line[1..]);
        if (length < 0) return "";
        var buffer = new byte[length + 2];
        var read = 0;
        while (read < buffer.Length) read += stream.Read(buffer, read, buffer.Length - read);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string ReadLine(NetworkStream stream)
    {
        var bytes = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b == '\n' && bytes.Count > 0 && bytes[^1] == '\r') return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}

/// <summary>One redis-server shared by the tests of the "redis" collection (which run one at a time).</summary>
public sealed class RedisFixture : IDisposable
{
    public RedisServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}

[CollectionDefinition("redis")]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>;
