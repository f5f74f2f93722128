using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Satchel.Postgres.Tests.Support;

/// <summary>
/// A real PostgreSQL server on a free loopback port, in a temporary data directory of its own
/// (<c>initdb</c> and <c>pg_ctl</c>). PostgreSQL refuses to run as root, so when the tests run as
/// root the server runs as the unprivileged user <c>postgres</c> (made by Debian's package), or
/// <c>nobody</c>. Fails loudly, naming what to install, when the binaries are missing.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly string[] SearchDirectories =
        [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), .. Versioned("/usr/lib/postgresql")];
    private readonly string? _runAs;

    public PostgresServer()
    {
        Port = FreePort();
        Directory = System.IO.Directory.CreateTempSubdirectory("satchel-pg-").FullName;
        DataDirectory = Path.Combine(Directory, "data");
        _runAs = Environment.IsPrivilegedProcess ? UnprivilegedUser() : null;
        if (_runAs is not null) Run("chown", ["-R", _runAs, Directory], asServer: false);
        Run(Binary("initdb"), ["-D", DataDirectory, "-U", "satchel", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
        Start();
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
    }

    public int Port { get; }

    public string Directory { get; }

    public string DataDirectory { get; }

    /// <summary>A connection string for the server's default database, pooled as an app's would be.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=satchel;Database=postgres;Timeout=5;Command Timeout=30";

    /// <summary>Starts the server (again, after <see cref="Kill"/> or <see cref="Stop"/>) and waits until it takes connections.</summary>
    public void Start() =>
        Run(Binary("pg_ctl"), ["-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={Directory} -c max_connections=300 -c shared_buffers=64MB", "start"]);

    /// <summary>Stops the server the hard way (immediate shutdown: no checkpoint, clients cut off); what it acknowledged is in its log.</summary>
    public void Kill() => Run(Binary("pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>Stops the server cleanly.</summary>
    public void Stop() => Run(Binary("pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException) { }
        NpgsqlConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException) { }
    }

    /// <summary>The server's log so far (for assertion messages).</summary>
    public string Log()
    {
        var path = Path.Combine(Directory, "server.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no server log)";
    }

    private void Run(string program, string[] arguments, bool asServer = true)
    {
        var start = asServer && _runAs is not null
            ? new ProcessStartInfo("runuser", ["-u", _runAs, "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Directory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result}{output.Result}\n{Log()}");
    }

    private static string Binary(string name) =>
        SearchDirectories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            $"PostgreSQL's {name} was not found (looked in PATH and /usr/lib/postgresql/*/bin). Install the server: Debian/Ubuntu `apt-get install postgresql`; ./test.sh does so when run as root.");

    // Debian keeps each major version's binaries in /usr/lib/postgresql/<version>/bin: newest first.
    private static IEnumerable<string> Versioned(string root) =>
        System.IO.Directory.Exists(root)
            ? System.IO.Directory.GetDirectories(root).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];

    private static string UnprivilegedUser() =>
        File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}

/// <summary>One server for every PostgreSQL test of the run: the tests of this collection run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
