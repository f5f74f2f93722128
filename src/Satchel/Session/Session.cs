namespace Satchel;

/// <summary>
/// One request's view of its browser's session. Loaded from the store on first use; records
/// which keys the request set or removed and commits exactly that, once, before the response
/// starts. Not thread-safe: use it from the request's own flow, like the request itself.
/// </summary>
public sealed class Session : IAsyncDisposable
{
    private readonly SessionManager _manager;
    private readonly ISessionStore _store;   // the manager's, or this request's view of a store that travels with requests (cookies)
    private readonly RequestCookie _request;
    private readonly PendingCommits.PendingCommit? _pending;   // HttpListener: cookie sent early, save awaited by the next request

    private Phase _phase;
    private ValueOverlay _values;
    private SessionIdentity? _identity;   // the token the response hands out, with its key; null until the session needs one
    private Doomed? _doomed;              // the session whose record the commit deletes (Destroy)
    private Closing _closing;
    private bool _rollCookie;        // re-send a persistent cookie: its expiry moved
    private ResponseCookie _cookie;

    // headerToken: the request's TokenHeader value when it carried that header (then it is the
    // session's transport both ways), else null.
    internal Session(SessionManager manager, string? cookieHeader, bool isHttps, string? clientAddress, SessionCookieSink? sink, string? headerToken, PendingCommits.PendingCommit? pending = null)
    {
        _manager = manager;
        _cookie = new ResponseCookie(sink, isHttps, headerToken is null ? null : manager.Options.TokenHeader);
        _pending = pending;
        ClientAddress = clientAddress;
        _request = headerToken is null ? RequestCookie.Read(manager, cookieHeader, clientAddress) : RequestCookie.ReadHeader(manager, headerToken, clientAddress);
        _identity = _request.Verified;
        _store = manager.RequestBound?.ForRequest(cookieHeader, sink, manager.IsSecure(isHttps)) ?? manager.Store;
    }

    /// <summary>
    /// A short, non-secret handle for this session (a prefix of the token's hash): safe for logs
    /// and admin pages, useless to an attacker. It changes when the session is regenerated.
    /// </summary>
    public string Id => EnsureLoaded().EnsureToken()._identity!.Key.Id;

    /// <summary>Whether the session is new in this request (the store held none for the browser).</summary>
    public bool IsNew => EnsureLoaded()._phase != Phase.Stored;

    /// <summary>Whether the session was loaded (or needed no load) and the store did not fail.</summary>
    public bool IsAvailable => _phase is Phase.New or Phase.Stored;

    /// <summary>What this request has done to the session.</summary>
    public SessionStatus Status => _values.HasChanges ? SessionStatus.Modified : (_closing & Closing.Destroyed) != 0 ? SessionStatus.Destroyed : SessionStatus.Unmodified;

    /// <summary>The keys the session holds.</summary>
    public IReadOnlyCollection<string> Keys => EnsureLoaded()._values.Keys;

    /// <summary>
    /// The user this session belongs to. Setting it indexes the session under the user, so
    /// <see cref="SessionAdmin"/> can list and revoke the user's sessions. Set it after
    /// <see cref="RegenerateAsync"/> at sign-in.
    /// </summary>
    public string? UserId
    {
        get => EnsureLoaded()._values.Metadata?.UserId;
        set => ChangeMetadata(m => m with { UserId = value });
    }

    /// <summary>The user agent, if the application records it (shown in <see cref="SessionAdmin"/> lists).</summary>
    public string? UserAgent
    {
        get => EnsureLoaded()._values.Metadata?.UserAgent;
        set => ChangeMetadata(m => m with { UserAgent = value });
    }

    /// <summary>A string value; setting <see langword="null"/> removes the key.</summary>
    public string? this[string key]
    {
        get => this.Get(key, SessionJsonContext.Default.String);
        set
        {
            if (value is null) Remove(key);
            else this.Set(key, value, SessionJsonContext.Default.String);
        }
    }

    /// <summary>The raw UTF-8 JSON of <paramref name="key"/>, read in place (for adapters such as <c>ISession</c>); <see langword="false"/> when the session lacks it.</summary>
    public bool TryGetJson(string key, out ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureLoaded();
        return _values.TryGet(key, out utf8Json);
    }

    /// <summary>Stores raw UTF-8 JSON under <paramref name="key"/> (for adapters such as <c>ISession</c>); the bytes are copied.</summary>
    /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not one JSON value.</exception>
    /// <exception cref="SessionLimitExceededException">The key or value is past a configured limit.</exception>
    public void SetJson(string key, ReadOnlySpan<byte> utf8Json)
    {
        SessionJson.EnsureOneValue(key, utf8Json);
        SetOwnedJson(key, utf8Json.ToArray());
    }

    /// <summary>Removes <paramref name="key"/>; <see langword="false"/> when the session lacked it.</summary>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        BeginWrite();
        if (!_values.Remove(key)) return false;
        MarkModified();
        return true;
    }

    /// <summary>Removes every value (the session itself, its user and lifetime stay).</summary>
    public void Clear()
    {
        BeginWrite();
        if (_values.Clear()) MarkModified();
    }

    /// <summary>
    /// Loads the session from the store now. Values load on first use anyway; calling this first
    /// keeps a slow store from blocking a thread.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public ValueTask LoadAsync(CancellationToken cancellationToken = default) => LoadAsync(blocking: false, cancellationToken);

    // blocking: a value was read before the session loaded, so a thread waits for this load.
    private async ValueTask LoadAsync(bool blocking, CancellationToken cancellationToken)
    {
        if (_phase != Phase.Unloaded) return;
        if (!_request.IsValid)
        {
            _phase = Phase.New;
            return;
        }
        if (blocking) _cookie.Sink?.SynchronousLoad();   // before the wait: the adapter can act for requests arriving meanwhile
        SessionRecord? record;
        var thread = Environment.CurrentManagedThreadId;
        try
        {
            record = await StoreCall.Run(_manager, StoreCall.Load, _request.Key, (store: _store, key: _request.Key, now: _manager.Time.GetUtcNow(), touch: _manager.Options.TouchInterval, ct: cancellationToken),
                static s => s.store.LoadAsync(s.key, s.now, s.touch, s.ct)).ConfigureAwait(false);
            // Resumed on another thread: the store really was asynchronous, and a thread sat blocked on it.
            // (Checking IsCompleted after the call races with that other thread finishing first.)
            if (blocking && Environment.CurrentManagedThreadId != thread) Log.SynchronousLoad(_manager.Logger, _request.Key.Id);
        }
        catch (Exception ex) when (StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            Fail(ex, "load");
            return;
        }
        if (record is null)
        {
            // Strict: a token the store does not know is never adopted.
            Log.UnknownSession(_manager.Logger, _request.Key.Id);
            _manager.InvalidCookies.Reject(ClientAddress, "unknown to the store", refusable: false);
            _identity = null;
            _phase = Phase.New;
            return;
        }
        Adopt(record);
        SendCookieEarly();
    }

    // The request's session as the store gave it. A remember-me cookie rolls forward whenever the
    // store refreshed the expiry, and the keep-alive memo learns that it did.
    private void Adopt(SessionRecord record)
    {
        _values = new ValueOverlay(record);
        _phase = Phase.Stored;
        if (!record.Touched) return;
        _manager.KeepAlive.Seen(_request.Key);
        _rollCookie |= record.Metadata.Persistent;
    }

    /// <summary>
    /// Saves this request's changes and sends the session's cookie. Adapters call it before the
    /// response starts; call it yourself only to save early. After it, writes throw.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    /// <exception cref="SessionEndedException">The session ended in another request before this one saved its changes.</exception>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        if ((_closing & Closing.Committed) != 0) return;
        _closing |= Closing.Committed;
        try
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _closing &= ~Closing.Committed;   // nothing was saved: a later commit tries again
            throw;
        }
        finally
        {
            if ((_closing & Closing.Committed) != 0)
            {
                _pending?.Release();
                // Also after a store failure: a regenerated session lives under its new token only.
                _cookie.Send(_manager, CookieToSend(final: true), tooLateIsFine: _pending is not null);
            }
        }
    }

    /// <summary>
    /// Drops what this request changed: the commit then writes nothing and sends no new cookie.
    /// ASP.NET Core calls it for a request that failed (an unhandled exception or a 5xx), unless
    /// <see cref="SatchelOptions.CommitOnServerError"/> is set. A regeneration already done stays
    /// done, since the session lives under its new token only.
    /// </summary>
    public void DiscardChanges()
    {
        if ((_closing & Closing.Committed) != 0) return;
        _values = _values.WithoutChanges();
        _doomed = null;
        _rollCookie = false;
        _closing &= ~Closing.Destroyed;
        if (_phase == Phase.New && _identity != _request.Verified) _identity = null;
    }

    private async ValueTask SaveAsync(CancellationToken cancellationToken)
    {
        if (_phase == Phase.Degraded) return;
        var store = _store;
        // A request that never touched its session still keeps it alive (a remember-me cookie rolls with it).
        if (_phase == Phase.Unloaded && _request.IsValid && _manager.KeepAlive.TryClaim(_request.Key)
            && await KeepAliveMemo.TouchAsync(_manager, _store, _request.Key, cancellationToken).ConfigureAwait(false) is { } kept) Adopt(kept);
        try
        {
            if (_doomed is { } doomed)
            {
                await DeleteAsync(store, doomed.Identity.Key, cancellationToken).ConfigureAwait(false);
                Log.Destroyed(_manager.Logger, doomed.Identity.Key.Id);
                await _manager.RaiseAsync(SessionEventKind.Destroyed, doomed.Identity.Key, doomed.UserId).ConfigureAwait(false);
            }
            if (!_values.HasChanges) return;
            var now = _manager.Time.GetUtcNow();
            var key = _identity!.Key;
            if (_phase == Phase.Stored)
            {
                if (await StoreCall.Run(_manager, StoreCall.Update, key, (store, key, change: _values.ToChange(now), ct: cancellationToken),
                        static s => s.store.UpdateAsync(s.key, s.change, s.ct)).ConfigureAwait(false))
                {
                    _manager.KeepAlive.Seen(key);   // a write refreshed the expiry
                    return;
                }
                Log.CommitToEndedSession(_manager.Logger, key.Id);
                _phase = Phase.New;
                throw new SessionEndedException($"Session {key.Id} ended in another request (sign-out, sign-in, revocation or expiry) before this request saved its changes, so they were not saved. Retry the action: the browser's next request sees the session as that other request left it.");
            }
            if (!_values.HasContent) return;   // no empty records: the cookie promised nothing yet
            await CreateAsync(store, key, _values.ToRecord(now, Metadata), cancellationToken).ConfigureAwait(false);
            _manager.KeepAlive.Seen(key);
            _phase = Phase.Stored;
            Log.Created(_manager.Logger, key.Id);
            await _manager.RaiseAsync(SessionEventKind.Created, key, _values.Metadata?.UserId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (SessionStoreException or SessionEndedException) && StoreFailureHandler.IsFailure(ex, cancellationToken))
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
        ThrowIfClosed();
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (_phase == Phase.Degraded) return;

        var previous = _identity;
        SessionKey? oldKey = _phase == Phase.Stored ? previous!.Key : null;
        var hasContent = oldKey is not null || _values.HasContent;
        _identity = SessionIdentity.Mint();
        var newKey = _identity.Key;
        if (!hasContent)
        {
            SendCookieEarly();
            return;
        }
        var record = _values.ToRecord(_manager.Time.GetUtcNow(), Metadata);
        try
        {
            // Create the new record before deleting the old, so the data is never nowhere.
            await CreateAsync(_store, newKey, record, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _identity = previous;
            throw;
        }
        catch (Exception ex)
        {
            _identity = previous;
            Fail(ex, "regenerate");
            return;
        }
        // From here the session lives under the new token, and the response must carry it,
        // whatever happens to the old record or to the rest of the request.
        _values = new ValueOverlay(record);
        _phase = Phase.Stored;
        _manager.KeepAlive.Seen(newKey);
        SendCookieEarly();
        if (oldKey is not { } old)
        {
            // Stored for the first time, under the new token.
            await _manager.RaiseAsync(SessionEventKind.Created, newKey, record.Metadata.UserId).ConfigureAwait(false);
            return;
        }
        try
        {
            await DeleteAsync(_store, old, cancellationToken).ConfigureAwait(false);
            Log.Regenerated(_manager.Logger, old.Id, newKey.Id);
        }
        catch (Exception ex) when (StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            // The old record may be gone or not: it expires by itself, and holds nothing set after
            // the regeneration (a user signed in now is on the new record only), so failing the
            // request would only cost the browser its new token.
            Log.OldRecordNotDeleted(_manager.Logger, ex, _manager.StoreName, old.Id, newKey.Id);
        }
        await _manager.RaiseAsync(SessionEventKind.Regenerated, newKey, record.Metadata.UserId, old).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the session: the commit deletes its record and the response expires the cookie, so
    /// the old cookie is dead even if replayed. Writing to the session afterwards starts a new one.
    /// </summary>
    public void Destroy()
    {
        ThrowIfClosed();
        // Unloaded, the cookie's key is deleted blind; loaded, only a record that exists.
        _doomed = _phase switch
        {
            Phase.Unloaded when _request.Verified is { } verified => new Doomed(verified, null),
            Phase.Stored => new Doomed(_identity!, _values.Metadata?.UserId),
            _ => null,
        };
        if (_doomed is not null) _pending?.Track(_doomed.Identity.Key);
        if (_phase != Phase.Degraded) _phase = Phase.New;
        _values = default;
        _identity = null;
        _rollCookie = false;
        _closing |= Closing.Destroyed;
        SendCookieEarly();
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
        var remembered = metadata with { Persistent = true, IdleTimeout = lifetime, AbsoluteDeadline = deadline };
        CheckFits("Remember-me", _values.Size, remembered);
        _values.SetMetadata(remembered);
        _rollCookie = true;
        MarkModified();
    }

    /// <summary>
    /// Adds <paramref name="by"/> to the whole number under <paramref name="key"/> (absent: 0) in one
    /// step inside the store, and returns the sum: parallel requests of one browser each count,
    /// with no exclusive session and no lost update. Before the session loads it costs one round
    /// trip and no load. The store has the new value at once: the commit does not write it again,
    /// and a request that fails afterwards does not undo it. On a session not stored yet, nobody
    /// else can see it: the sum is an ordinary change, saved by the commit.
    /// </summary>
    /// <exception cref="NotSupportedException">The store cannot change a value in one step (cookie, <c>IDistributedCache</c>).</exception>
    /// <exception cref="InvalidOperationException">The value is not a whole number, or this request already changed the key.</exception>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public async ValueTask<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default)
    {
        var atomics = Atomics(key);
        if (await OneStepAsync(key, atomics, StoreCall.Increment, (store, session, now) => store.IncrementAsync(session, key, by, now, cancellationToken),
                sum => System.Text.Encoding.UTF8.GetBytes(sum.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false) is { } stored)
            return stored;
        // A session the store does not hold yet: nobody else can see it, so an ordinary change.
        var present = _values.TryGet(key, out var current);
        (byte[] json, long value) next;
        try
        {
            next = AtomicValues.Increment(key, current, present, by);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        SetOwnedJson(key, next.json);
        return next.value;
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="utf8Json"/> only while it holds exactly
    /// <paramref name="expectedJson"/> (<see langword="null"/>: only while absent), in one step inside
    /// the store: a compare-and-set for values that parallel requests change. Returns whether it
    /// was set; either way the session then reads the value the store holds, so a caller can
    /// retry from it. The typed form is <c>ReplaceAsync</c> (<see cref="SessionValueExtensions"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">The store cannot change a value in one step (cookie, <c>IDistributedCache</c>).</exception>
    /// <exception cref="InvalidOperationException">This request already changed the key.</exception>
    /// <exception cref="ArgumentException"><paramref name="utf8Json"/> is not one JSON value.</exception>
    public async ValueTask<bool> ReplaceJsonAsync(string key, ReadOnlyMemory<byte>? expectedJson, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default)
    {
        var atomics = Atomics(key);
        SessionJson.EnsureOneValue(key, utf8Json.Span);
        _manager.Limits.Check(key, utf8Json.Length);
        if (await OneStepAsync(key, atomics, StoreCall.Replace, (store, session, now) => store.ReplaceAsync(session, key, expectedJson, utf8Json, now, cancellationToken),
                swap => swap.Current, cancellationToken).ConfigureAwait(false) is { } stored)
            return stored.Replaced;
        var present = _values.TryGet(key, out var current);
        if (!AtomicValues.Matches(current, present, expectedJson)) return false;
        SetOwnedJson(key, utf8Json.ToArray());
        return true;
    }

    // The store's power to change a value in one step, after the checks every such call makes.
    private ISessionAtomicValues Atomics(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var atomics = _store.GetCapability<ISessionAtomicValues>()
            ?? throw new NotSupportedException($"The session store {_manager.Store.GetType().Name} cannot change a value in one step (it offers no ISessionAtomicValues); use the memory, Redis or SQLite store, or Get and Set under RequireExclusiveSession().");
        ThrowIfClosed();
        return atomics;
    }

    // The path of every one-step change. Not loaded yet: straight to the store, one round trip and
    // no load. Loaded and stored: to the store, and the result into the loaded view (held: the JSON
    // the key now holds). Null when the store holds no such session (none, unknown, ended under
    // us): the caller then makes the change locally, in a session nobody else can see yet.
    private async ValueTask<T?> OneStepAsync<T>(string key, ISessionAtomicValues atomics, string operation, Func<ISessionAtomicValues, SessionKey, DateTimeOffset, ValueTask<T?>> step,
        Func<T, ReadOnlyMemory<byte>?> held, CancellationToken cancellationToken) where T : struct
    {
        if (_phase == Phase.Unloaded && await InStoreAsync(atomics, operation, _request.Key, key, step, cancellationToken).ConfigureAwait(false) is { } quick) return quick;
        await LoadForAtomicAsync(key, cancellationToken).ConfigureAwait(false);
        if (_phase != Phase.Stored) return null;
        if (await InStoreAsync(atomics, operation, _identity!.Key, key, step, cancellationToken).ConfigureAwait(false) is { } done)
        {
            _values.AdoptStored(key, held(done));
            return done;
        }
        EndedUnderUs();
        return null;
    }

    private async ValueTask<T?> InStoreAsync<T>(ISessionAtomicValues atomics, string operation, SessionKey sessionKey, string key, Func<ISessionAtomicValues, SessionKey, DateTimeOffset, ValueTask<T?>> step, CancellationToken cancellationToken) where T : struct
    {
        if (_phase == Phase.Unloaded && !_request.IsValid) return null;
        T? result;
        try
        {
            result = await StoreCall.Run(_manager, operation, sessionKey, (step, atomics, sessionKey, now: _manager.Time.GetUtcNow()),
                static s => s.step(s.atomics, s.sessionKey, s.now)).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not SessionStoreException && StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            Fail(ex, "change " + key);
            return null;
        }
        if (result is not null) _manager.KeepAlive.Seen(sessionKey);   // the write moved the expiry
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    private async ValueTask LoadForAtomicAsync(string key, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (_phase == Phase.Stored && _values.HasChange(key))
            throw new InvalidOperationException($"Session value '{key}' was already changed in this request, so a one-step change in the store would be overwritten by the commit. Use one or the other for a key in a request.");
    }

    // The store no longer has the session (destroyed, regenerated or expired by another request):
    // as with a commit to an ended session, this request goes on with a new, empty one.
    private void EndedUnderUs()
    {
        if (_phase != Phase.Stored) return;
        Log.OneStepOnEndedSession(_manager.Logger, _identity!.Key.Id);
        _phase = Phase.New;
        _values = default;
        _identity = null;
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
        if (_phase != Phase.Unloaded) throw new InvalidOperationException("Take the session exclusively before it loads, or the values read may already be stale.");
        var locks = _store.GetCapability<ISessionLocks>()
            ?? throw new NotSupportedException($"The session store {_manager.Store.GetType().Name} cannot lock sessions (it offers no ISessionLocks); exclusive sessions need the memory or Redis store.");
        if (!_request.IsValid) return null;
        var timeout = _manager.Options.ExclusiveTimeout;
        return await StoreCall.Run(_manager, StoreCall.Lock, _request.Key, (locks, key: _request.Key, timeout, ct: cancellationToken),
                static s => s.locks.AcquireAsync(s.key, s.timeout, s.ct)).ConfigureAwait(false)
            ?? throw new SessionLockTimeoutException($"Session {_request.Key.Id} stayed held by other requests for {timeout.TotalSeconds} s (Satchel:ExclusiveTimeout).");
    }

    /// <summary>
    /// Makes the session read-only for the rest of the request: writes throw. Adapters call it for
    /// endpoints that declared a read-only session.
    /// </summary>
    public void MakeReadOnly() => _closing |= Closing.ReadOnly;

    /// <summary>Commits the session (see <see cref="CommitAsync"/>).</summary>
    public ValueTask DisposeAsync() => CommitAsync();

    /// <summary>The client's address as the adapter saw it, or <see langword="null"/>.</summary>
    internal string? ClientAddress { get; }

    /// <summary>The key of the session the request's cookie names, if the cookie verified.</summary>
    internal SessionKey? RequestKey => _request.IsValid ? _request.Key : null;

    private SessionMetadata Metadata => _values.Metadata ?? _manager.NewMetadata();

    internal void SetOwnedJson(string key, byte[] json)
    {
        _manager.Limits.Check(key, json.Length);
        BeginWrite();
        var size = _values.SizeWith(key, json.Length, out var present);
        if (!present) _manager.Limits.CheckCount(key, _values.Count);
        _manager.Limits.CheckSize(key, size);
        CheckFits("Session value", size, key: key);
        _values.Set(key, json, size);
        MarkModified();
    }

    private void ChangeMetadata(Func<SessionMetadata, SessionMetadata> change)
    {
        BeginWrite();
        var changed = change(Metadata);
        if (changed == _values.Metadata) return;
        CheckFits("The session's user or user agent", _values.Size, changed);
        _values.SetMetadata(changed);
        MarkModified();
    }

    // A store that holds less than the configured limits (the cookie store) checks each write, so
    // the request that overfills the session learns it at the write, not at a commit after the response.
    // Only such a store gets the message (naming the key) and the metadata (the session's, unless given) built.
    private void CheckFits(string what, int packedBytes, SessionMetadata? metadata = null, string? key = null)
    {
        if (_store is IRequestView view) view.CheckFits(key is null ? what : $"{what} '{key}'", metadata ?? Metadata, packedBytes, _manager.Time.GetUtcNow());
    }

    private void BeginWrite()
    {
        ThrowIfClosed();
        EnsureLoaded();
        // HttpListener commits after the response went out: a change made then could not send its cookie.
        if (_pending is not null && _cookie.Sink is { IsStarted: true })
            throw new InvalidOperationException("The response has already started, so this change to the session could not reach the browser and is refused. Change the session before writing the response body.");
    }

    private void ThrowIfClosed()
    {
        if ((_closing & Closing.ReadOnly) != 0)
            throw new InvalidOperationException("This endpoint declared its session read-only (WithReadOnlySession or [ReadOnlySession]); remove that to write to the session.");
        if ((_closing & Closing.Committed) != 0)
            throw new InvalidOperationException("The session was already saved (the response has started, or the session was committed or disposed), so this change would be lost. Change the session before writing the response body.");
    }

    private Session EnsureLoaded()
    {
        if (_phase != Phase.Unloaded) return this;
        var load = LoadAsync(blocking: true, CancellationToken.None);
        if (load.IsCompleted) load.GetAwaiter().GetResult();
        else load.AsTask().GetAwaiter().GetResult();
        return this;
    }

    private Session EnsureToken()
    {
        _identity ??= SessionIdentity.Mint();
        return this;
    }

    private void MarkModified()
    {
        EnsureToken();
        _pending?.Track(_identity!.Key);
        SendCookieEarly();
    }

    // The one decision about Set-Cookie, from the session's state. Before the commit (final: false)
    // it assumes the commit will store what the request changed.
    private string? CookieToSend(bool final)
    {
        if (_phase == Phase.Degraded) return null;
        var stored = _phase == Phase.Stored || (!final && _values.HasContent);
        if (stored && _identity is { } identity && (identity != _request.Verified || _rollCookie || _request.SignedWithRetiredKey)) return _cookie.Issue(_manager, identity.Token, Metadata);
        return (_closing & Closing.Destroyed) != 0 && _request.Present ? _cookie.Expire(_manager) : null;
    }

    // HttpListener has no hook before the response goes out: its sessions send the cookie as it
    // changes — and, on the cookie store, the sealed session the commit will write.
    private void SendCookieEarly()
    {
        if (_pending is null) return;
        _cookie.Send(_manager, CookieToSend(final: false), tooLateIsFine: false);
        if (_store is not IRequestView view || _phase == Phase.Degraded) return;
        if (_identity is { } identity && (_phase == Phase.Stored || _values.HasContent))
            view.Preview(identity.Key, _values.ToRecord(_manager.Time.GetUtcNow(), Metadata));
        else if ((_closing & Closing.Destroyed) != 0)
            view.Preview(_request.Key, null);
    }

    private ValueTask CreateAsync(ISessionStore store, SessionKey key, SessionRecord record, CancellationToken cancellationToken) =>
        StoreCall.Run(_manager, StoreCall.Create, key, (store, key, record, ct: cancellationToken), static s => s.store.CreateAsync(s.key, s.record, s.ct));

    private ValueTask DeleteAsync(ISessionStore store, SessionKey key, CancellationToken cancellationToken) =>
        StoreCall.Run(_manager, StoreCall.Delete, key, (store, key, ct: cancellationToken), static s => s.store.DeleteAsync(s.key, s.ct));

    private void Fail(Exception ex, string operation)
    {
        _manager.Failures.Handle(ex, operation, _identity?.Key);
        _phase = Phase.Degraded;
        _values = default;
        SendCookieEarly();
    }

    // The session Destroy ended, with its user as far as this request knows it (for the event).
    private sealed record Doomed(SessionIdentity Identity, string? UserId);

    // Where the session stands with its store: not loaded yet; no record (none, unknown, destroyed,
    // not created yet); a record exists; the store failed under Degrade (empty, writes nothing).
    private enum Phase { Unloaded, New, Stored, Degraded }

    // What may no longer happen (writes), or must happen at the commit (expire the cookie).
    [Flags]
    private enum Closing { None = 0, ReadOnly = 1, Committed = 2, Destroyed = 4 }
}
