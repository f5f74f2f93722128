using Garnet;

namespace Satchel.Redis.Tests.Support;

/// <summary>
/// Microsoft Garnet, a Redis-compatible server, hosted in the test process on a loopback port.
/// Lua is on with transaction mode, so a script runs with its keys locked (without it a script is
/// not atomic on Garnet). Durable, every write goes to the append-only log before it is
/// acknowledged, and a host started again on the same folder recovers it (file device, not the
/// native one, which needs libaio).
/// </summary>
public sealed class GarnetHost : IDisposable
{
    private readonly GarnetServer _server;

    public GarnetHost(int port, string directory, bool durable, string[]? extraArgs = null)
    {
        List<string> args =
        [
            "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--lua", "true", "--lua-transaction-mode", "true",
        ];
        if (durable)
        {
            args.AddRange(["--aof", "true", "--aof-commit-freq", "0", "--recover", "true", "--storage-tier", "true", "--device-type", "RandomAccess",
                "--checkpointdir", Path.Combine(directory, "checkpoints"), "--logdir", Path.Combine(directory, "logs")]);
        }
        args.AddRange(extraArgs ?? []);
        _server = new GarnetServer([.. args]);
        _server.Start();
    }

    public void Dispose() => _server.Dispose();
}
