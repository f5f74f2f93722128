using System.Globalization;
using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// Sessions in Redis, shared by every app process that uses the same Redis and secrets.
/// One hash per session (<c>{prefix}s:{sha256 of token}</c>): a field <c>v:{key}</c> per value,
/// metadata fields, and PEXPIREAT at the session's end. A read-only request costs one round trip
/// (the throttled expiry refresh happens in the same script); a write costs one atomic script.
/// A sorted set per user (<c>{prefix}u:{user}</c>) indexes sessions for "sign out everywhere"
/// (<see cref="ISessionUserIndex"/>), and leases give exclusive sessions (<see cref="ISessionLocks"/>):
/// both through <see cref="GetCapability{T}"/>.
/// </summary>
public sealed class RedisSessionStore : ISessionStore, IDisposable
{
    private const string ValuePrefix = "v:";
    private readonly Task<IConnectionMultiplexer> _redis;
    private readonly bool _ownsConnection;
    private readonly string _sessionPrefix;
    private readonly string _userPrefix;
    private readonly int _database;
    private readonly RedisUserIndex _userIndex;
    private readonly RedisSessionLocks _locks;

    /// <summary>A store on an existing connection (not disposed with the store).</summary>
    public RedisSessionStore(IConnectionMultiplexer redis, RedisSessionStoreOptions? options = null)
        : this(Task.FromResult(redis ?? throw new ArgumentNullException(nameof(redis))), options, ownsConnection: false) { }

    private RedisSessionStore(Task<IConnectionMultiplexer> redis, RedisSessionStoreOptions? options, bool ownsConnection)
    {
        options ??= new RedisSessionStoreOptions();
        _redis = redis;
        _ownsConnection = ownsConnection;
        _sessionPrefix = options.KeyPrefix + "s:";
        _userPrefix = options.KeyPrefix + "u:";
        _database = options.Database;
        _userIndex = new RedisUserIndex(() => Db, _sessionPrefix, _userPrefix);
        _locks = new RedisSessionLocks(() => Db, options.KeyPrefix + "l:", options.LockLease);
    }

    /// <summary>Connects to Redis with a StackExchange.Redis configuration string (e.g. <c>127.0.0.1:6379</c>).</summary>
    /// <remarks>
    /// Returns at once and connects in the background, so the app starts and answers requests that
    /// do not need the store even while Redis is down or slow to answer; until the first connection
    /// attempt ends, and while Redis is down, requests that need the store fail at once
    /// (<see cref="BacklogPolicy.FailFast"/>) instead of queueing, so the store failure policy answers
    /// quickly. The connection comes back by itself (<c>abortConnect=false</c>). Replies are read on
    /// StackExchange.Redis's own I/O threads unless <see cref="RedisSessionStoreOptions.ReadOnThreadPool"/> is set.
    /// </remarks>
    public static RedisSessionStore Connect(string configuration, RedisSessionStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var config = ConfigurationOptions.Parse(configuration);
        config.AbortOnConnectFail = false;
        config.SocketManager = options?.ReadOnThreadPool == true ? SocketManager.ThreadPool : SocketManager.Shared;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        return new RedisSessionStore(ConnectAsync(config), options, ownsConnection: true);
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions config) =>
        await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);

    /// <summary>The connection the store uses, or <see langword="null"/> while its first connection attempt is under way.</summary>
    public IConnectionMultiplexer? Connection => _redis.IsCompletedSuccessfully ? _redis.Result : null;

    /// <inheritdoc />
    public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.Shared | SessionStoreGuarantees.AtomicChanges | SessionStoreGuarantees.NoResurrection;

    private IDatabase Db => Connection?.GetDatabase(_database)
        ?? throw (_redis.Exception?.InnerException as RedisException ?? new RedisConnectionException(ConnectionFailureType.UnableToConnect, "The Redis session store is still making its first connection (it connects in the background at start-up)."));

    /// <inheritdoc />
    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var result = await RedisScripts.Load.RunAsync(Db, SessionHash(key), [now.ToUnixTimeMilliseconds(), (long)touchInterval.TotalMilliseconds]).ConfigureAwait(false);
        if (result.IsNull || result.Resp2Type != ResultType.Array) return null;
        var reply = (RedisResult[])result!;
        return ReadRecord((RedisResult[])reply[1]!, touched: (long)reply[0] == 1);
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var args = Arguments(record.LastAccess, "c", cleared: false, record.Metadata, sets: record.Count, removes: 0);
        var n = 11;
        foreach (var (name, value) in record.Values)
        {
            args[n++] = ValuePrefix + name;
            args[n++] = value;   // the record's own bytes, not a copy
        }
        await CommitAsync(key, record.Metadata, args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var sets = change.Values.Count(v => v.Value is not null);
        var args = Arguments(change.Now, "u", change.Cleared, change.Metadata, sets, change.Values.Count - sets);
        var n = 11;
        foreach (var (name, value) in change.Values)
        {
            if (value is null) continue;
            args[n++] = ValuePrefix + name;
            args[n++] = value;
        }
        foreach (var (name, value) in change.Values)
        {
            if (value is null) args[n++] = ValuePrefix + name;
        }
        return CommitAsync(key, change.Metadata, args);
    }

    // The commit script's arguments (see RedisScripts.CommitSource), with room for the values.
    private static RedisValue[] Arguments(DateTimeOffset now, string mode, bool cleared, SessionMetadata? metadata, int sets, int removes)
    {
        var args = new RedisValue[11 + 2 * sets + removes];
        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = mode;
        args[2] = cleared ? "1" : "0";
        args[3] = metadata is null ? "0" : "1";
        args[4] = metadata?.Created.ToUnixTimeMilliseconds() ?? 0;
        args[5] = (long)(metadata?.IdleTimeout.TotalMilliseconds ?? 0);
        args[6] = metadata?.AbsoluteDeadline?.ToUnixTimeMilliseconds() is { } deadline ? deadline : "";
        args[7] = metadata?.Persistent == true ? "1" : "0";
        args[8] = metadata?.UserId ?? "";
        args[9] = metadata?.UserAgent ?? "";
        args[10] = sets;
        return args;
    }

    private async ValueTask<bool> CommitAsync(SessionKey key, SessionMetadata? metadata, RedisValue[] args)
    {
        var db = Db;
        var commit = RedisScripts.Commit.RunAsync(db, SessionHash(key), args);
        if (metadata?.UserId is { } user)
        {
            // Another slot in a cluster, so not in the script: sent alongside it (one round
            // trip), and a member whose session is gone is pruned when the user's list is read.
            var score = metadata.AbsoluteDeadline?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity;
            var index = db.SortedSetAddAsync(_userPrefix + user, key.ToString(), score);
            await Task.WhenAll(commit, index).ConfigureAwait(false);
        }
        return (long)await commit.ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) =>
        await Db.KeyDeleteAsync(SessionHash(key)).ConfigureAwait(false);

    /// <inheritdoc />
    public T? GetCapability<T>() where T : class => this as T ?? _userIndex as T ?? _locks as T;

    /// <summary>Closes the connection if the store opened it.</summary>
    public void Dispose()
    {
        if (!_ownsConnection) return;
        if (_redis.IsCompletedSuccessfully) _redis.Result.Dispose();
        else _redis.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    // The session hash's name, built in one string: {prefix}s:{key}.
    private RedisKey SessionHash(SessionKey key) =>
        string.Create(_sessionPrefix.Length + SessionKey.TextLength, (_sessionPrefix, key), static (span, s) =>
        {
            s._sessionPrefix.CopyTo(span);
            s.key.TryFormat(span[s._sessionPrefix.Length..], out _);
        });

    private static SessionRecord ReadRecord(RedisResult[] data, bool touched)
    {
        var values = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(data.Length / 2);
        long created = 0, lastAccess = 0, idle = 0;
        long? deadline = null;
        var persistent = false;
        string? user = null, userAgent = null;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            var field = (string)data[i]!;
            var value = data[i + 1];
            if (field.StartsWith(ValuePrefix, StringComparison.Ordinal))
            {
                values.Add(new(field[ValuePrefix.Length..], (byte[])value!));
                continue;
            }
            switch (field)
            {
                case "_c": created = ParseLong(value); break;
                case "_a": lastAccess = ParseLong(value); break;
                case "_i": idle = ParseLong(value); break;
                case "_d": deadline = ParseLong(value); break;
                case "_p": persistent = (string?)value == "1"; break;
                case "_u": user = (string?)value; break;
                case "_ua": userAgent = (string?)value; break;
            }
        }
        var metadata = new SessionMetadata(FromMs(created), TimeSpan.FromMilliseconds(idle), deadline is { } d ? FromMs(d) : null, persistent, user, userAgent);
        return SessionRecord.FromValues(metadata, FromMs(lastAccess), values, touched);
    }

    private static long ParseLong(RedisResult value) => long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
