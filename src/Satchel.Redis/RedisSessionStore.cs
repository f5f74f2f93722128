using StackExchange.Redis;

namespace Satchel.Redis;

/// <summary>
/// Sessions in Redis, shared by every app process that uses the same Redis and secrets.
/// One hash per session (<c>{prefix}s:{sha256 of token}</c>): a field <c>v:{key}</c> per value,
/// metadata fields, and PEXPIREAT at the session's end. A read-only request costs one plain
/// HGETALL (and, once per touch interval, a small script that refreshes the expiry); a write costs
/// one round trip: three plain pipelined commands for values set over what the request read (Redis
/// 7.0 and later), one atomic script otherwise.
/// A sorted set per user (<c>{prefix}u:{user}</c>) indexes sessions for "sign out everywhere"
/// (<see cref="ISessionUserIndex"/>), leases give exclusive sessions (<see cref="ISessionLocks"/>),
/// and one-step value scripts give counters without locks (<see cref="ISessionOneStepValues"/>): all
/// through <see cref="GetCapability{T}"/>.
/// </summary>
public sealed class RedisSessionStore : ISessionStore, IDisposable
{
    private readonly Task<IConnectionMultiplexer> _redis;
    private readonly bool _ownsConnection;
    private readonly string _sessionPrefix;
    private readonly int _database;
    private readonly RedisUserIndex _userIndex;
    private readonly RedisSessionLocks _locks;
    private readonly RedisOneStepValues _oneStepValues;

    /// <summary>A store on an existing connection (not disposed with the store).</summary>
    public RedisSessionStore(IConnectionMultiplexer redis, RedisSessionStoreOptions? options = null)
        : this(Task.FromResult(redis ?? throw new ArgumentNullException(nameof(redis))), options, ownsConnection: false) { }

    private RedisSessionStore(Task<IConnectionMultiplexer> redis, RedisSessionStoreOptions? options, bool ownsConnection)
    {
        options ??= new RedisSessionStoreOptions();
        _redis = redis;
        _ownsConnection = ownsConnection;
        _sessionPrefix = options.KeyPrefix + "s:";
        _database = options.Database;
        _userIndex = new RedisUserIndex(() => Db, _sessionPrefix, options.KeyPrefix + "u:");
        _locks = new RedisSessionLocks(() => Db, options.KeyPrefix + "l:", options.LockLease);
        _oneStepValues = new RedisOneStepValues(() => Db, SessionHash);
        _ends = new RedisSessionEnds(redis, options.KeyPrefix + "ended");
    }

    private readonly RedisSessionEnds _ends;

    /// <summary>Connects to Redis with a StackExchange.Redis configuration string (e.g. <c>127.0.0.1:6379</c>).</summary>
    /// <remarks>
    /// Returns at once and connects in the background, so the app starts and answers requests that
    /// do not need the store even while Redis is down or slow to answer; until the first connection
    /// attempt ends, and while Redis is down, requests that need the store fail at once
    /// (<see cref="BacklogPolicy.FailFast"/>) instead of queueing, so the store failure policy answers
    /// quickly. The connection comes back by itself (<c>abortConnect=false</c>). Replies are read on
    /// the .NET thread pool unless <see cref="RedisSessionStoreOptions.ReadOnThreadPool"/> is turned off.
    /// </remarks>
    public static RedisSessionStore Connect(string configuration, RedisSessionStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return new RedisSessionStore(ConnectAsync(ConnectionOptions(configuration, options)), options, ownsConnection: true);
    }

    /// <summary>The StackExchange.Redis options of the connection <see cref="Connect"/> opens.</summary>
    internal static ConfigurationOptions ConnectionOptions(string configuration, RedisSessionStoreOptions? options)
    {
        var config = ConfigurationOptions.Parse(configuration);
        config.AbortOnConnectFail = false;
        config.SocketManager = options?.ReadOnThreadPool == false ? SocketManager.Shared : SocketManager.ThreadPool;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        return config;
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
    /// <remarks>
    /// One plain HGETALL, with expiry checked here by the caller's clock; a script (the throttled
    /// refresh) runs only when a touch is due, at most once per touch interval per session. A plain
    /// command costs Redis a fraction of a script, and Redis CPU is what many app servers share.
    /// </remarks>
    public async ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default)
    {
        var db = Db;
        var hash = SessionHash(key);
        var fields = await db.HashGetAllAsync(hash).ConfigureAwait(false);
        if (ReadRecord(fields) is not { } record || record.ExpiresAt <= now) return null;
        _userIndex.Loaded(db, key, record, now);
        if (now - record.LastAccess < touchInterval) return record;
        var nowMs = now.ToUnixTimeMilliseconds();
        var touched = await RedisScripts.Touch.RunAsync(db, hash, [nowMs, record.LastAccess.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return (long)touched == 1 ? new SessionRecord(record.Metadata, FromMs(nowMs), record.PackedValues, touched: true) : record;
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var args = Arguments(record.LastAccess, "c", cleared: false, record.Metadata, sets: record.Count, removes: 0);
        var n = 11;
        foreach (var (name, value) in record.Values)
        {
            args[n++] = RedisFields.ValuePrefix + name;
            args[n++] = value;   // the record's own bytes, not a copy
        }
        await CommitAsync(key, record.Metadata, record.LastAccess, args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var sets = change.Values.Count(v => v.Value is not null);
        var removes = change.Values.Count - sets;
        // Values set over a record this request read live (most writes): plain commands, no script.
        if (change.Base is { } read && change.Metadata is null && !change.Cleared && removes == 0 && read.ExpiresAt > change.Now && PlainWrites)
            return SetValuesAsync(key, change, read.Metadata, sets);
        // Values only: the lean script. A clear or new metadata: the general one.
        var lean = change.Metadata is null && !change.Cleared && change.Values.Count <= MaxLeanFields;
        var args = lean ? new RedisValue[2 + 2 * sets + removes] : Arguments(change.Now, "u", change.Cleared, change.Metadata, sets, removes);
        var n = lean ? 2 : 11;
        if (lean)
        {
            args[0] = change.Now.ToUnixTimeMilliseconds();
            args[1] = sets;
        }
        foreach (var (name, value) in change.Values)
        {
            if (value is null) continue;
            args[n++] = RedisFields.ValuePrefix + name;
            args[n++] = value;
        }
        foreach (var (name, value) in change.Values)
        {
            if (value is null) args[n++] = RedisFields.ValuePrefix + name;
        }
        return lean ? UpdateValuesAsync(key, args) : CommitAsync(key, change.Metadata, change.Now, args);
    }

    /// <summary>
    /// Whether every server takes PEXPIREAT's NX and GT (Redis 7.0, and Valkey and Garnet, which
    /// report 7.x): then value writes need no script. Older servers (Redis 6, still common as
    /// managed Redis) keep the script. Decided once every known server has answered.
    /// </summary>
    internal bool PlainWrites
    {
        get
        {
            if (_plainWrites != 0) return _plainWrites > 0;
            if (Connection?.GetServers() is not { Length: > 0 } servers || servers.Any(s => !s.IsConnected)) return false;
            _plainWrites = servers.All(s => s.Version >= ExpiryOptionsVersion) ? 1 : -1;
            return _plainWrites > 0;
        }
    }

    private static readonly Version ExpiryOptionsVersion = new(7, 0);
    private int _plainWrites;   // 0: not decided yet; 1: plain commands; -1: scripts only

    /// <summary>
    /// Sets values in a session the request read live, with no script: HSET of the values and the
    /// last access, then the expiry moved by PEXPIREAT, pipelined (one round trip). A script costs
    /// Redis several times what these plain commands do, and Redis CPU is what many app servers
    /// share. The script's guarantees hold without it:
    /// <list type="bullet">
    /// <item>Atomic: one HSET sets all of the request's values at once (a change that also removes
    /// keys takes the script, since HSET and HDEL are two commands).</item>
    /// <item>Live by the caller's clock: the read said so, and while a session lives its end only
    /// moves later (writes extend it; remember-me lengthens it), never earlier.</item>
    /// <item>No resurrection: every session hash has an expiry, so PEXPIREAT NX setting one means
    /// the HSET just made the hash: the session ended since the read (destroyed, regenerated or
    /// expired). That stray hash is deleted at once; until then it reads as no session (it has no
    /// <c>_i</c>), and it expires by itself if the delete is lost.</item>
    /// <item>Expiry: PEXPIREAT GT only ever moves it later, so a write made with the lifetimes of an
    /// older read never shortens a session a parallel request remembered.</item>
    /// </list>
    /// </summary>
    private async ValueTask<bool> SetValuesAsync(SessionKey key, SessionChange change, SessionMetadata metadata, int sets)
    {
        var db = Db;
        var hash = SessionHash(key);
        var fields = new HashEntry[1 + sets];
        fields[0] = new(RedisFields.LastAccess, change.Now.ToUnixTimeMilliseconds());
        var n = 1;
        foreach (var (name, value) in change.Values) fields[n++] = new(RedisFields.ValuePrefix + name, value);
        var ends = change.Now + metadata.IdleTimeout;
        if (metadata.AbsoluteDeadline is { } deadline && deadline < ends) ends = deadline;
        var endsUtc = ends.UtcDateTime;
        // In this order: NX first, so it sees whether the hash had an expiry before this write.
        var written = db.HashSetAsync(hash, fields);
        var made = db.KeyExpireAsync(hash, endsUtc, ExpireWhen.HasNoExpiry);
        var extended = db.KeyExpireAsync(hash, endsUtc, ExpireWhen.GreaterThanCurrentExpiry);
        // Replies arrive in order, so once the last is in, so are the others: one wake-up of this
        // request instead of one per command (each reply's continuation is its own work item).
        try
        {
            await extended.ConfigureAwait(false);
        }
        catch
        {
            Observe(written);
            Observe(made);
            throw;
        }
        await written.ConfigureAwait(false);
        if (!await made.ConfigureAwait(false)) return true;
        await db.KeyDeleteAsync(hash).ConfigureAwait(false);
        return false;
    }

    // A pipelined command's fault, seen so it is not reported as unobserved when an earlier one already failed the call.
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    // Lua's unpack works on the stack, which holds a few thousand values: larger changes take the general script, which chunks.
    private const int MaxLeanFields = 1000;

    private async ValueTask<bool> UpdateValuesAsync(SessionKey key, RedisValue[] args) =>
        (long)await RedisScripts.UpdateValues.RunAsync(Db, SessionHash(key), args).ConfigureAwait(false) == 1;

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

    private async ValueTask<bool> CommitAsync(SessionKey key, SessionMetadata? metadata, DateTimeOffset now, RedisValue[] args)
    {
        var db = Db;
        var commit = RedisScripts.Commit.RunAsync(db, SessionHash(key), args);
        if (metadata?.UserId is { } user)
        {
            // Another slot in a cluster, so not in the script: sent alongside it (one round trip).
            var index = _userIndex.AddAsync(db, user, key, metadata, now);
            await Task.WhenAll(commit, index).ConfigureAwait(false);
        }
        return (long)await commit.ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) =>
        await Db.KeyDeleteAsync(SessionHash(key)).ConfigureAwait(false);

    /// <inheritdoc />
    public T? GetCapability<T>() where T : class => this as T ?? _userIndex as T ?? _locks as T ?? _oneStepValues as T ?? _ends as T;

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

    // A hash as the commit script writes it; null when it holds no session (none, or a stray key).
    private static SessionRecord? ReadRecord(HashEntry[] fields)
    {
        if (fields.Length == 0) return null;
        var values = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(fields.Length);
        long? created = null, lastAccess = null, idle = null, deadline = null;
        var persistent = false;
        string? user = null, userAgent = null;
        foreach (var entry in fields)
        {
            var field = (string)entry.Name!;
            var value = entry.Value;
            if (field.StartsWith(RedisFields.ValuePrefix, StringComparison.Ordinal))
            {
                values.Add(new(field[RedisFields.ValuePrefix.Length..], (byte[])value!));
                continue;
            }
            switch (field)
            {
                case RedisFields.Created: created = (long)value; break;
                case RedisFields.LastAccess: lastAccess = (long)value; break;
                case RedisFields.Idle: idle = (long)value; break;
                case RedisFields.Deadline: deadline = (long)value; break;
                case RedisFields.Persistent: persistent = value == "1"; break;
                case RedisFields.User: user = value; break;
                case RedisFields.UserAgent: userAgent = value; break;
            }
        }
        if (lastAccess is not { } last || idle is not { } idleMs) return null;
        var metadata = new SessionMetadata(FromMs(created ?? last), TimeSpan.FromMilliseconds(idleMs), deadline is { } d ? FromMs(d) : null, persistent, user, userAgent);
        return SessionRecord.FromValues(metadata, FromMs(last), values);
    }

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
