using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Satchel;

/// <summary>
/// One request's view of its browser's session. Loaded from the store on first use; records
/// which keys the request set or removed and commits exactly that, once, before the response
/// starts. Not thread-safe: use it from the request's own flow, like the request itself.
/// </summary>
public sealed class Session : IAsyncDisposable
{
    private const string ReflectionMessage = "JSON serialization of T may need code that trimming or AOT removes; use the overload taking a JsonTypeInfo<T>.";
    private static readonly Dictionary<string, byte[]> NoValues = new(StringComparer.Ordinal);

    private readonly SessionManager _manager;
    private readonly string? _cookieHeader;
    private readonly bool _isHttps;
    private readonly ISessionCookieSink? _sink;

    private string? _token;
    private string? _storeKey;
    private bool _cookieRead;
    private bool _requestHadCookie;
    private bool _loaded;
    private bool _exists;
    private IReadOnlyDictionary<string, byte[]> _stored = NoValues;
    private Dictionary<string, byte[]?>? _changes;
    private bool _cleared;
    private SessionMetadata? _metadata;
    private bool _metadataChanged;
    private string? _deleteKey;
    private bool _destroyed;
    private bool _cookieIssued;
    private bool _committed;
    private bool _degraded;

    // HttpListener only: the save runs after the response may be gone, so later requests wait for it.
    private readonly bool _tracksPendingCommit;
    private TaskCompletionSource? _pendingCommit;
    private List<string>? _pendingKeys;

    private readonly string? _clientAddress;

    internal Session(SessionManager manager, string? cookieHeader, bool isHttps, ISessionCookieSink? sink, bool tracksPendingCommit = false, string? clientAddress = null)
    {
        _clientAddress = clientAddress;
        _manager = manager;
        _cookieHeader = cookieHeader;
        _isHttps = isHttps;
        _sink = sink;
        _tracksPendingCommit = tracksPendingCommit;
    }

    /// <summary>
    /// A short, non-secret handle for this session (a prefix of the token's hash): safe for logs
    /// and admin pages, useless to an attacker. It changes when the session is regenerated.
    /// </summary>
    public string Id
    {
        get
        {
            EnsureLoaded();
            EnsureToken();
            return SessionToken.IdFromStoreKey(_storeKey!);
        }
    }

    /// <summary>Whether the session is new in this request (the store held none for the browser).</summary>
    public bool IsNew
    {
        get
        {
            EnsureLoaded();
            return !_exists;
        }
    }

    /// <summary>Whether the session was loaded (or needed no load) and the store did not fail.</summary>
    public bool IsAvailable => _loaded && !_degraded;

    /// <summary>What this request has done to the session.</summary>
    public SessionStatus Status => HasChanges ? SessionStatus.Modified : _destroyed ? SessionStatus.Destroyed : SessionStatus.Unmodified;

    /// <summary>The keys the session holds.</summary>
    public IReadOnlyCollection<string> Keys
    {
        get
        {
            EnsureLoaded();
            var keys = new HashSet<string>(_cleared ? [] : _stored.Keys, StringComparer.Ordinal);
            if (_changes is not null)
            {
                foreach (var (key, value) in _changes)
                {
                    if (value is null) keys.Remove(key);
                    else keys.Add(key);
                }
            }
            return keys;
        }
    }

    /// <summary>
    /// The user this session belongs to. Setting it indexes the session under the user, so
    /// <see cref="SessionAdmin"/> can list and revoke the user's sessions. Set it after
    /// <see cref="RegenerateAsync"/> at sign-in.
    /// </summary>
    public string? UserId
    {
        get
        {
            EnsureLoaded();
            return _metadata?.UserId;
        }
        set
        {
            BeginWrite();
            if (Metadata.UserId == value) return;
            _metadata = Metadata with { UserId = value };
            _metadataChanged = true;
            MarkModified();
        }
    }

    /// <summary>The user agent, if the application records it (shown in <see cref="SessionAdmin"/> lists).</summary>
    public string? UserAgent
    {
        get
        {
            EnsureLoaded();
            return _metadata?.UserAgent;
        }
        set
        {
            BeginWrite();
            if (Metadata.UserAgent == value) return;
            _metadata = Metadata with { UserAgent = value };
            _metadataChanged = true;
            MarkModified();
        }
    }

    /// <summary>A string value; setting <see langword="null"/> removes the key.</summary>
    public string? this[string key]
    {
        get => Get(key, SessionJsonContext.Default.String);
        set
        {
            if (value is null) Remove(key);
            else Set(key, value, SessionJsonContext.Default.String);
        }
    }

    /// <summary>The value of <paramref name="key"/>, or <c>default</c> when the session lacks it.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public T? Get<T>(string key) => TryGet<T>(key, out var value) ? value : default;

    /// <summary>The value of <paramref name="key"/>, or <c>default</c> when the session lacks it.</summary>
    public T? Get<T>(string key, JsonTypeInfo<T> typeInfo) => TryGet(key, typeInfo, out var value) ? value : default;

    /// <summary>Reads <paramref name="key"/>; <see langword="false"/> when the session lacks it.</summary>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value) =>
        TryGet(key, DefaultTypeInfo<T>.Value, out value);

    /// <summary>Reads <paramref name="key"/>; <see langword="false"/> when the session lacks it.</summary>
    public bool TryGet<T>(string key, JsonTypeInfo<T> typeInfo, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!TryGetJson(key, out var json))
        {
            value = default;
            return false;
        }
        try
        {
            value = JsonSerializer.Deserialize(json, typeInfo)!;
            return true;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Session key '{key}' holds a value that cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    public void Set<T>(string key, T value) =>
        Set(key, value, DefaultTypeInfo<T>.Value);

    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    public void Set<T>(string key, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        SetJson(key, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }

    /// <summary>Removes <paramref name="key"/>; <see langword="false"/> when the session lacked it.</summary>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        BeginWrite();
        if (!ContainsKey(key)) return false;
        (_changes ??= new(StringComparer.Ordinal))[key] = null;
        MarkModified();
        return true;
    }

    /// <summary>Removes every value (the session itself, its user and lifetime stay).</summary>
    public void Clear()
    {
        BeginWrite();
        if (!_exists && (_changes is null || _changes.Count == 0)) return;
        _cleared = true;
        _changes?.Clear();
        MarkModified();
    }

    /// <summary>
    /// Loads the session from the store now. Values load on first use anyway; calling this first
    /// keeps a slow store from blocking a thread.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public async ValueTask LoadAsync(CancellationToken cancellationToken = default)
    {
        if (_loaded) return;
        ReadCookie();
        if (_storeKey is null)
        {
            _loaded = true;
            return;
        }

        if (_manager.PendingCommit(_storeKey) is { } pending)
        {
            try
            {
                await pending.WaitAsync(SessionManager.PendingCommitWait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log.PendingCommitTimedOut(_manager.Logger, SessionToken.IdFromStoreKey(_storeKey));
            }
        }

        var now = _manager.Time.GetUtcNow();
        SessionRecord? record;
        try
        {
            record = await _manager.Store.LoadAsync(_storeKey, now, _manager.Options.TouchInterval, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _loaded = true;
            Fail(ex, "load");
            return;
        }
        _loaded = true;
        if (record is null)
        {
            Log.UnknownSession(_manager.Logger, SessionToken.IdFromStoreKey(_storeKey));
            _token = _storeKey = null;
            CountRejection();
            return;
        }
        _exists = true;
        _stored = record.Values;
        _metadata = record.Metadata;
        // A remember-me cookie rolls forward whenever the store refreshed the expiry.
        if (record.Metadata.Persistent && record.LastAccess == now) TryIssueCookie();
    }

    /// <summary>
    /// Saves this request's changes. Adapters call it before the response starts; call it
    /// yourself only to save early. After it, writes throw.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_committed) return;
        _committed = true;
        try
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleasePendingCommit();
        }
    }

    private async ValueTask SaveAsync(CancellationToken cancellationToken)
    {
        if (_degraded) return;
        var store = _manager.Store;
        try
        {
            if (_deleteKey is not null)
            {
                await store.DeleteAsync(_deleteKey, cancellationToken).ConfigureAwait(false);
                Log.Destroyed(_manager.Logger, SessionToken.IdFromStoreKey(_deleteKey));
            }
            if (!HasChanges) return;

            var now = _manager.Time.GetUtcNow();
            if (!_exists)
            {
                var values = EffectiveValues();
                if (values.Count == 0 && !_metadataChanged)
                {
                    // No empty records: the cookie promised nothing yet.
                    RetractCookie();
                    return;
                }
                await store.CommitAsync(_storeKey!, new SessionChange { Now = now, Create = true, Values = values, Metadata = Metadata }, cancellationToken).ConfigureAwait(false);
                _exists = true;
                SatchelMetrics.SessionsCreated.Add(1);
                Log.Created(_manager.Logger, SessionToken.IdFromStoreKey(_storeKey!));
                return;
            }

            var change = new SessionChange { Now = now, Cleared = _cleared, Values = _changes ?? NoChanges, Metadata = _metadataChanged ? _metadata : null };
            if (!await store.CommitAsync(_storeKey!, change, cancellationToken).ConfigureAwait(false))
                Log.CommitToEndedSession(_manager.Logger, SessionToken.IdFromStoreKey(_storeKey!));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not SessionStoreException)
        {
            Fail(ex, "save");
        }
    }

    /// <summary>
    /// Gives the session a new token, keeping its data; the old token stops working at once.
    /// Call it when the user signs in (or their privileges change) against session fixation.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public async ValueTask RegenerateAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCommitted();
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (_degraded) return;

        var oldKey = _exists ? _storeKey : null;
        var values = EffectiveValues();
        var hasContent = _exists || values.Count > 0 || _metadataChanged;
        _token = SessionToken.NewToken();
        _storeKey = SessionToken.StoreKey(_token);
        if (!hasContent)
        {
            RetractCookie();
            return;
        }

        var store = _manager.Store;
        try
        {
            // Create the new record before deleting the old, so the data is never nowhere.
            await store.CommitAsync(_storeKey, new SessionChange { Now = _manager.Time.GetUtcNow(), Create = true, Values = values, Metadata = Metadata }, cancellationToken).ConfigureAwait(false);
            if (oldKey is not null) await store.DeleteAsync(oldKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail(ex, "regenerate");
            return;
        }
        if (oldKey is not null) Log.Regenerated(_manager.Logger, SessionToken.IdFromStoreKey(oldKey), SessionToken.IdFromStoreKey(_storeKey));
        _exists = true;
        _stored = ToStored(values);
        _changes = null;
        _cleared = false;
        _metadataChanged = false;
        IssueCookie();
    }

    /// <summary>
    /// Ends the session: the commit deletes its record and the response expires the cookie, so
    /// the old cookie is dead even if replayed. Writing to the session afterwards starts a new one.
    /// </summary>
    public void Destroy()
    {
        ThrowIfCommitted();
        ReadCookie();
        // Unloaded, the cookie's key is deleted blind; loaded, only a record that exists.
        var key = _loaded ? (_exists ? _storeKey : null) : _storeKey;
        if (key is not null)
        {
            _deleteKey = key;
            TrackPendingCommit(key);
        }
        if (_requestHadCookie || _cookieIssued) _sink?.SetCookie(SessionCookie.Expired(_manager.Options.Cookie, Secure));
        _loaded = true;
        _exists = false;
        _stored = NoValues;
        _changes = null;
        _cleared = false;
        _metadata = null;
        _metadataChanged = false;
        _token = _storeKey = null;
        _cookieIssued = false;
        _destroyed = true;
    }

    /// <summary>
    /// Makes the cookie persistent ("remember me"): the session now lives <paramref name="lifetime"/>
    /// from each request (rolling), and its absolute deadline is extended to at least
    /// <paramref name="lifetime"/> from now. The cookie's Max-Age never goes past the session's end.
    /// </summary>
    public void RememberMe(TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        BeginWrite();
        var now = _manager.Time.GetUtcNow();
        var metadata = Metadata;
        var deadline = metadata.AbsoluteDeadline is { } d && d < now + lifetime ? now + lifetime : metadata.AbsoluteDeadline;
        _metadata = metadata with { Persistent = true, IdleTimeout = lifetime, AbsoluteDeadline = deadline };
        _metadataChanged = true;
        EnsureToken();
        TrackPendingCommit(_storeKey!);
        IssueCookie(now);
    }

    /// <summary>
    /// Takes the session for this request alone until the returned handle is disposed: requests
    /// that do the same wait their turn (at most <see cref="SatchelOptions.ExclusiveTimeout"/>).
    /// Call it before the session loads; ASP.NET Core's <c>RequireExclusiveSession()</c> does.
    /// A request without a valid session cookie has nothing to share and waits for nothing.
    /// </summary>
    /// <exception cref="SessionLockTimeoutException">Other requests held the session too long.</exception>
    /// <exception cref="NotSupportedException">The store cannot lock sessions.</exception>
    public async ValueTask<IAsyncDisposable?> AcquireExclusiveAsync(CancellationToken cancellationToken = default)
    {
        if (_loaded) throw new InvalidOperationException("Take the session exclusively before it loads, or the values read may already be stale.");
        var locks = _manager.Store as ISessionLocks
            ?? throw new NotSupportedException($"The session store {_manager.Store.GetType().Name} cannot lock sessions; exclusive sessions need the memory or Redis store.");
        ReadCookie();
        if (_storeKey is null) return null;
        var timeout = _manager.Options.ExclusiveTimeout;
        return await locks.AcquireAsync(_storeKey, timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new SessionLockTimeoutException($"Session {SessionToken.IdFromStoreKey(_storeKey)} stayed held by other requests for {timeout.TotalSeconds} s (Satchel:ExclusiveTimeout).");
    }

    /// <summary>Commits the session (see <see cref="CommitAsync"/>).</summary>
    public ValueTask DisposeAsync() => CommitAsync();

    // Reads in place: a value the memory store packed is read without copying it out first.
    internal bool TryGetJson(string key, out ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureLoaded();
        if (_changes is not null && _changes.TryGetValue(key, out var changed))
        {
            json = changed;
            return changed is not null;
        }
        if (!_cleared)
        {
            if (_stored is PackedValues packed) return packed.TryGetSpan(key, out json);
            if (_stored.TryGetValue(key, out var stored))
            {
                json = stored;
                return true;
            }
        }
        json = default;
        return false;
    }

    internal void SetJson(string key, byte[] json)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var options = _manager.Options;
        if (key.Length > options.MaxKeyLength)
            throw new SessionLimitExceededException($"Session key '{key[..32]}...' is {key.Length} characters; the limit is {options.MaxKeyLength} (Satchel:MaxKeyLength).");
        if (json.Length > options.MaxValueBytes)
            throw new SessionLimitExceededException($"Session value '{key}' is {json.Length} bytes of JSON; the limit is {options.MaxValueBytes} (Satchel:MaxValueBytes). Keep large data in your database and its id in the session.");
        BeginWrite();
        if (!ContainsKey(key) && CountKeys() >= options.MaxKeys)
            throw new SessionLimitExceededException($"Session already holds {options.MaxKeys} keys, the limit (Satchel:MaxKeys); '{key}' was not added.");
        (_changes ??= new(StringComparer.Ordinal))[key] = json;
        MarkModified();
    }

    private static readonly Dictionary<string, byte[]?> NoChanges = new(StringComparer.Ordinal);

    private bool HasChanges => _cleared || _metadataChanged || _changes is { Count: > 0 };

    private bool Secure => _isHttps || _manager.Options.Cookie.Secure == CookieSecurePolicy.Always || _manager.Options.Cookie.UseHostPrefix;

    private SessionMetadata Metadata => _metadata ??= _manager.NewMetadata();

    // Keys.Count without building the set: stored keys, plus keys this request added, less those it removed.
    private int CountKeys()
    {
        var count = _cleared ? 0 : _stored.Count;
        if (_changes is null) return count;
        foreach (var (key, value) in _changes)
        {
            var wasStored = !_cleared && _stored.ContainsKey(key);
            if (value is null && wasStored) count--;
            else if (value is not null && !wasStored) count++;
        }
        return count;
    }

    private bool ContainsKey(string key) =>
        _changes is not null && _changes.TryGetValue(key, out var changed) ? changed is not null : !_cleared && _stored.ContainsKey(key);

    private Dictionary<string, byte[]?> EffectiveValues()
    {
        var values = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        if (!_cleared)
        {
            foreach (var (key, value) in _stored) values[key] = value;
        }
        if (_changes is not null)
        {
            foreach (var (key, value) in _changes)
            {
                if (value is null) values.Remove(key);
                else values[key] = value;
            }
        }
        return values;
    }

    private static Dictionary<string, byte[]> ToStored(Dictionary<string, byte[]?> values)
    {
        var stored = new Dictionary<string, byte[]>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values) stored[key] = value!;
        return stored;
    }

    private void BeginWrite()
    {
        ThrowIfCommitted();
        EnsureLoaded();
    }

    /// <summary>Set by adapters for endpoints that declared a read-only session: writes throw.</summary>
    internal bool ReadOnly { get; set; }

    private void ThrowIfCommitted()
    {
        if (ReadOnly)
            throw new InvalidOperationException("This endpoint declared its session read-only (WithReadOnlySession or [ReadOnlySession]); remove that to write to the session.");
        if (_committed)
            throw new InvalidOperationException("The session was already saved (the response has started, or the session was committed or disposed), so this change would be lost. Change the session before writing the response body.");
    }

    private void EnsureLoaded()
    {
        if (_loaded) return;
        var load = LoadAsync(CancellationToken.None);
        if (load.IsCompleted)
        {
            load.GetAwaiter().GetResult();
            return;
        }
        Log.SynchronousLoad(_manager.Logger, _storeKey is null ? "(new)" : SessionToken.IdFromStoreKey(_storeKey));
        load.AsTask().GetAwaiter().GetResult();
    }

    private void ReadCookie()
    {
        if (_cookieRead) return;
        _cookieRead = true;
        if (string.IsNullOrEmpty(_cookieHeader)) return;
        if (_cookieHeader.Length > SessionCookie.MaxHeaderLength)
        {
            Reject("Cookie header longer than " + SessionCookie.MaxHeaderLength + " characters");
            return;
        }
        foreach (var value in SessionCookie.Values(_cookieHeader, _manager.CookieName))
        {
            _requestHadCookie = true;
            // Duplicate cookies: the first validly signed one wins (browsers send the most specific path first).
            if (_manager.VerifiedCookies.TryGet(value, out var verified))
            {
                (_token, _storeKey) = (verified.Token, verified.StoreKey);
                return;
            }
            if (_manager.KeyRing.TryVerify(value, out var token))
            {
                _token = token;
                _storeKey = SessionToken.StoreKey(token);
                _manager.VerifiedCookies.Add(value, token, _storeKey);
                return;
            }
        }
        if (_requestHadCookie) Reject("malformed or wrongly signed value");
    }

    private void Reject(string reason)
    {
        Log.CookieRejected(_manager.Logger, reason);
        CountRejection();
    }

    private void CountRejection()
    {
        SatchelMetrics.CookiesRejected.Add(1);
        if (_clientAddress is null) return;
        var options = _manager.Options;
        var rejected = _manager.InvalidCookies.Count(_clientAddress);
        if (rejected <= options.InvalidCookieLimit) return;
        if (rejected == options.InvalidCookieLimit + 1)
        {
            Log.InvalidCookieBurst(_manager.Logger, _clientAddress, rejected, options.InvalidCookieWindow.TotalSeconds);
            SatchelMetrics.InvalidCookieBursts.Add(1);
        }
        if (options.OnInvalidCookieBurst?.Invoke(new InvalidCookieBurst(_clientAddress, rejected)) == true)
            throw new SessionThrottledException($"Client {_clientAddress} sent {rejected} invalid session cookies within {options.InvalidCookieWindow.TotalSeconds} s; the application's OnInvalidCookieBurst refused the request.");
    }

    private void EnsureToken()
    {
        if (_token is not null) return;
        _token = SessionToken.NewToken();
        _storeKey = SessionToken.StoreKey(_token);
    }

    private void MarkModified()
    {
        EnsureToken();
        TrackPendingCommit(_storeKey!);
        if (!_cookieIssued && (!_exists || Metadata.Persistent)) IssueCookie();
    }

    private void TrackPendingCommit(string storeKey)
    {
        if (!_tracksPendingCommit || _pendingKeys?.Contains(storeKey) == true) return;
        _pendingCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_pendingKeys ??= []).Add(storeKey);
        _manager.AddPendingCommit(storeKey, _pendingCommit.Task);
    }

    private void ReleasePendingCommit()
    {
        if (_pendingCommit is null) return;
        foreach (var key in _pendingKeys!) _manager.RemovePendingCommit(key, _pendingCommit.Task);
        _pendingCommit.TrySetResult();
    }

    private void IssueCookie(DateTimeOffset? at = null)
    {
        if (_degraded) return;
        TimeSpan? maxAge = null;
        if (Metadata.Persistent)
        {
            var now = at ?? _manager.Time.GetUtcNow();
            maxAge = Metadata.ExpiresAt(now) - now;
        }
        _sink?.SetCookie(SessionCookie.Build(_manager.Options.Cookie, _manager.KeyRing.Sign(_token!), Secure, maxAge));
        _cookieIssued = true;
    }

    private void TryIssueCookie()
    {
        try
        {
            IssueCookie();
        }
        catch (InvalidOperationException)
        {
            // Read after the response started: the rolling refresh waits for the next request.
        }
    }

    private void RetractCookie()
    {
        if (!_cookieIssued) return;
        _cookieIssued = false;
        try
        {
            _sink?.SetCookie(null);
        }
        catch (InvalidOperationException)
        {
            // Too late to take back; the unknown token will simply start a fresh session.
        }
    }

    private void Fail(Exception ex, string operation)
    {
        SatchelMetrics.StoreFailures.Add(1);
        var id = _storeKey is null ? "(new)" : SessionToken.IdFromStoreKey(_storeKey);
        var storeName = _manager.Store.GetType().Name;
        Log.StoreFailed(_manager.Logger, ex, storeName, operation, id);
        if (_manager.Options.StoreFailurePolicy == StoreFailurePolicy.Fail)
            throw new SessionStoreException($"The session store ({storeName}) failed to {operation} session {id}: {ex.Message}", ex);

        Log.Degraded(_manager.Logger, id);
        RetractCookie();
        _degraded = true;
        _exists = false;
        _stored = NoValues;
        _changes = null;
        _cleared = false;
        _metadataChanged = false;
    }

    // JsonSerializerOptions.Default is read-only, so its contract for T can be looked up once per T
    // instead of through its cache (and a cast) on every Get and Set. Lazily, not in a static
    // initializer, so a type JSON cannot handle throws its own NotSupportedException every time.
    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    private static class DefaultTypeInfo<T>
    {
        private static JsonTypeInfo<T>? s_value;

        public static JsonTypeInfo<T> Value => s_value ??= (JsonTypeInfo<T>)JsonSerializerOptions.Default.GetTypeInfo(typeof(T));
    }
}
