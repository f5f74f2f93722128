namespace Satchel;

/// <summary>
/// What happens to one request's session, behind the <see cref="Session"/> facade: it loads from
/// the store on first use, records the request's changes over what it loaded, regenerates,
/// destroys, and commits exactly the change set once. It knows where the session stands with its
/// store (<see cref="Phase"/>) and what may no longer happen (<see cref="Closing"/>), and sends the
/// cookie the response must carry. Not thread-safe, like the request.
/// </summary>
internal sealed class SessionLifecycle
{
    private readonly SessionRuntime _runtime;
    private readonly ISessionStore _store;   // the manager's, or this request's view of a store that travels with requests (cookies)
    private readonly RequestCookie _request;
    private readonly SessionCookieSink? _early;   // a sink whose response can go out before the commit (HttpListener): the cookie is sent as the session changes
    private readonly bool _cookieless;            // no response to carry a cookie (a hub invocation, a circuit event)

    private Phase _phase;
    private ValueOverlay _values;
    private SessionIdentity? _identity;   // the token the response hands out, with its key; null until the session needs one
    private Doomed? _doomed;              // the session whose record the commit deletes (Destroy)
    private Closing _closing;
    private bool _rollCookie;        // re-send a persistent cookie: its expiry moved
    private ResponseCookie _cookie;

    // headerToken: the request's TokenHeader value when it carried that header (then it is the
    // session's transport both ways), else null.
    public SessionLifecycle(SessionRuntime runtime, string? cookieHeader, bool isHttps, string? clientAddress, SessionCookieSink? sink, string? headerToken)
    {
        _runtime = runtime;
        _cookie = new ResponseCookie(sink, isHttps, headerToken is null ? null : runtime.Options.TokenHeader);
        _early = sink is { IsEarly: true } ? sink : null;
        _cookieless = sink is { IsCookieless: true };
        ClientAddress = clientAddress;
        _request = headerToken is null ? RequestCookie.Read(runtime.Cookies, cookieHeader, clientAddress) : RequestCookie.ReadHeader(runtime.Cookies, headerToken, clientAddress);
        _identity = _request.Verified;
        _store = runtime.RequestBound?.ForRequest(cookieHeader, runtime.Cookies.IsSecure(isHttps), sink) ?? runtime.Store;
    }

    // The members Session exposes are documented there; these do the work.

    public string Id => EnsureLoaded().EnsureToken()._identity!.Key.Id;

    public bool IsNew => EnsureLoaded()._phase != Phase.Stored;

    public bool IsAvailable => _phase is Phase.New or Phase.Stored;

    public SessionStatus Status => _values.HasChanges ? SessionStatus.Modified : (_closing & Closing.Destroyed) != 0 ? SessionStatus.Destroyed : SessionStatus.Unmodified;

    public IReadOnlyCollection<string> Keys => EnsureLoaded()._values.Keys;

    public string? UserId
    {
        get => EnsureLoaded()._values.Metadata?.UserId;
        set => ChangeMetadata(m => m with { UserId = value });
    }

    public string? UserAgent
    {
        get => EnsureLoaded()._values.Metadata?.UserAgent;
        set => ChangeMetadata(m => m with { UserAgent = value });
    }

    public bool TryGetJson(string key, out ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureLoaded();
        return _values.TryGet(key, out utf8Json);
    }

    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        BeginWrite();
        if (!_values.Remove(key)) return false;
        MarkModified();
        return true;
    }

    public void Clear()
    {
        BeginWrite();
        if (_values.Clear()) MarkModified();
    }

    // blocking: a value was read before the session loaded, so a thread waits for this load.
    public async ValueTask LoadAsync(bool blocking, CancellationToken cancellationToken)
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
            record = await StoreCall.Run(_runtime.StoreName, StoreCall.Load, _request.Key, (store: _store, key: _request.Key, now: _runtime.Time.GetUtcNow(), touch: _runtime.Options.TouchInterval, ct: cancellationToken),
                static s => s.store.LoadAsync(s.key, s.now, s.touch, s.ct)).ConfigureAwait(false);
            // Resumed on another thread: the store really was asynchronous, and a thread sat blocked on it.
            // (Checking IsCompleted after the call races with that other thread finishing first.)
            if (blocking && Environment.CurrentManagedThreadId != thread) Log.SynchronousLoad(_runtime.Logger, _request.Key.Id);
        }
        catch (Exception ex) when (StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            Fail(ex, "load");
            return;
        }
        if (record is null)
        {
            // Strict: a token the store does not know is never adopted.
            Log.UnknownSession(_runtime.Logger, _request.Key.Id);
            _runtime.Cookies.Invalid.Reject(ClientAddress, "unknown to the store", refusable: false);
            _identity = null;
            _phase = Phase.New;
            return;
        }
        Adopt(record);
        SendCookieEarly();
    }

    // The request's session as the store gave it. A remember-me cookie rolls forward whenever the
    // store refreshed the expiry, and the touch memo learns that it did.
    private void Adopt(SessionRecord record)
    {
        _values = new ValueOverlay(record);
        _phase = Phase.Stored;
        if (!record.Touched) return;
        _runtime.Touches.Seen(_request.Key);
        _rollCookie |= record.Metadata.Persistent;
    }

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
                _early?.Committed();
                // Also after a store failure: a regenerated session lives under its new token only.
                _cookie.Send(_runtime.Cookies, CookieToSend(final: true), tooLateIsFine: _early is not null);
            }
        }
    }

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
        if (_phase == Phase.Unloaded && _request.IsValid && _runtime.Touches.TryClaim(_request.Key)
            && await TouchMemo.TouchAsync(_runtime, _store, _request.Key, cancellationToken).ConfigureAwait(false) is { } kept) Adopt(kept);
        try
        {
            if (_doomed is { } doomed)
            {
                await DeleteAsync(store, doomed.Identity.Key, cancellationToken).ConfigureAwait(false);
                Log.Destroyed(_runtime.Logger, doomed.Identity.Key.Id);
                await _runtime.RaiseAsync(SessionEventKind.Destroyed, doomed.Identity.Key, doomed.UserId).ConfigureAwait(false);
            }
            if (!_values.HasChanges) return;
            var now = _runtime.Time.GetUtcNow();
            var key = _identity!.Key;
            if (_phase == Phase.Stored)
            {
                if (await StoreCall.Run(_runtime.StoreName, StoreCall.Update, key, (store, key, change: _values.ToChange(now), ct: cancellationToken),
                        static s => s.store.UpdateAsync(s.key, s.change, s.ct)).ConfigureAwait(false))
                {
                    _runtime.Touches.Seen(key);   // a write refreshed the expiry
                    return;
                }
                Log.CommitToEndedSession(_runtime.Logger, key.Id);
                _phase = Phase.New;
                throw new SessionEndedException($"Session {key.Id} ended in another request (sign-out, sign-in, revocation or expiry) before this request saved its changes, so they were not saved. Retry the action: the browser's next request sees the session as that other request left it.");
            }
            if (!_values.HasContent) return;   // no empty records: the cookie promised nothing yet
            await CreateAsync(store, key, _values.ToRecord(now, Metadata), cancellationToken).ConfigureAwait(false);
            _runtime.Touches.Seen(key);
            _phase = Phase.Stored;
            Log.Created(_runtime.Logger, key.Id);
            await _runtime.RaiseAsync(SessionEventKind.Created, key, _values.Metadata?.UserId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (SessionStoreException or SessionEndedException) && StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            Fail(ex, "save");
        }
    }

    public async ValueTask RegenerateAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        await LoadAsync(blocking: false, cancellationToken).ConfigureAwait(false);
        if (_phase == Phase.Degraded) return;
        if (_cookieless) throw NoCookie("give the session a new token (RegenerateAsync)");

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
        var record = _values.ToRecord(_runtime.Time.GetUtcNow(), Metadata);
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
        _runtime.Touches.Seen(newKey);
        SendCookieEarly();
        if (oldKey is not { } old)
        {
            // Stored for the first time, under the new token.
            await _runtime.RaiseAsync(SessionEventKind.Created, newKey, record.Metadata.UserId).ConfigureAwait(false);
            return;
        }
        try
        {
            await DeleteAsync(_store, old, cancellationToken).ConfigureAwait(false);
            Log.Regenerated(_runtime.Logger, old.Id, newKey.Id);
        }
        catch (Exception ex) when (StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            // The old record may be gone or not: it expires by itself, and holds nothing set after
            // the regeneration (a user signed in now is on the new record only), so failing the
            // request would only cost the browser its new token.
            Log.OldRecordNotDeleted(_runtime.Logger, ex, _runtime.StoreName, old.Id, newKey.Id);
        }
        await _runtime.RaiseAsync(SessionEventKind.Regenerated, newKey, record.Metadata.UserId, old).ConfigureAwait(false);
    }

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
        if (_doomed is not null) _early?.Changed(_doomed.Identity.Key);
        if (_phase != Phase.Degraded) _phase = Phase.New;
        _values = default;
        _identity = null;
        _rollCookie = false;
        _closing |= Closing.Destroyed;
        SendCookieEarly();
    }

    public void RememberMe(TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        if (_cookieless) throw NoCookie("make the session persistent (RememberMe)");
        BeginWrite();
        var now = _runtime.Time.GetUtcNow();
        var metadata = Metadata;
        var deadline = metadata.AbsoluteDeadline is { } d && d < now + lifetime ? now + lifetime : metadata.AbsoluteDeadline;
        var remembered = metadata with { Persistent = true, IdleTimeout = lifetime, AbsoluteDeadline = deadline };
        CheckFits("Remember-me", _values.Size, remembered);
        _values.SetMetadata(remembered);
        _rollCookie = true;
        MarkModified();
    }

    public async ValueTask<IAsyncDisposable?> AcquireExclusiveAsync(CancellationToken cancellationToken = default)
    {
        if (_phase != Phase.Unloaded) throw new InvalidOperationException("Take the session exclusively before it loads, or the values read may already be stale.");
        var locks = _store.GetCapability<ISessionLocks>()
            ?? throw new NotSupportedException($"The session store {_runtime.Store.GetType().Name} cannot lock sessions (it offers no ISessionLocks); exclusive sessions need the memory or Redis store.");
        if (!_request.IsValid) return null;
        var timeout = _runtime.Options.ExclusiveTimeout;
        return await StoreCall.Run(_runtime.StoreName, StoreCall.Lock, _request.Key, (locks, key: _request.Key, timeout, ct: cancellationToken),
                static s => s.locks.AcquireAsync(s.key, s.timeout, s.ct)).ConfigureAwait(false)
            ?? throw new SessionLockTimeoutException($"Session {_request.Key.Id} stayed held by other requests for {timeout.TotalSeconds} s (Satchel:ExclusiveTimeout).");
    }

    public void MakeReadOnly() => _closing |= Closing.ReadOnly;

    /// <summary>The manager the session belongs to.</summary>
    public SessionRuntime Runtime => _runtime;

    /// <summary>The store as this request sees it.</summary>
    public ISessionStore Store => _store;

    /// <summary>Where the session stands with its store.</summary>
    public Phase Stands => _phase;

    /// <summary>The key of the session the store holds (when <see cref="Stands"/> is <see cref="Phase.Stored"/>).</summary>
    public SessionKey StoredKey => _identity!.Key;

    /// <summary>The values as this request sees them, changed in place.</summary>
    public ref ValueOverlay Values => ref _values;

    // The store no longer has the session (destroyed, regenerated or expired by another request):
    // as with a commit to an ended session, this request goes on with a new, empty one.
    public void EndedUnderUs()
    {
        if (_phase != Phase.Stored) return;
        Log.OneStepOnEndedSession(_runtime.Logger, _identity!.Key.Id);
        _phase = Phase.New;
        _values = default;
        _identity = null;
    }

    /// <summary>The client's address as the adapter saw it, or <see langword="null"/>.</summary>
    public string? ClientAddress { get; }

    /// <summary>The key of the session the request's cookie names, if the cookie verified.</summary>
    public SessionKey? RequestKey => _request.IsValid ? _request.Key : null;

    private SessionMetadata Metadata => _values.Metadata ?? _runtime.NewMetadata();

    public void SetOwnedJson(string key, byte[] json)
    {
        _runtime.Limits.Check(key, json.Length);
        BeginWrite();
        var size = _values.SizeWith(key, json.Length, out var present);
        if (!present) _runtime.Limits.CheckCount(key, _values.Count);
        _runtime.Limits.CheckSize(key, size);
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
        if (_store is IRequestBoundView view) view.CheckFits(key is null ? what : $"{what} '{key}'", metadata ?? Metadata, packedBytes, _runtime.Time.GetUtcNow());
    }

    private void BeginWrite()
    {
        ThrowIfClosed();
        EnsureLoaded();
        // Writing to no session starts one, and a new session needs its cookie sent.
        if (_cookieless && _phase == Phase.New) throw NoCookie("start a session (the browser sent no valid session cookie, or the session ended)");
        // HttpListener commits after the response went out: a change made then could not send its cookie.
        if (_early is { IsStarted: true })
            throw new InvalidOperationException("The response has already started, so this change to the session could not reach the browser and is refused. Change the session before writing the response body.");
    }

    private static InvalidOperationException NoCookie(string what) =>
        new($"This unit of work has no HTTP response to carry a cookie (a SignalR hub invocation or a Blazor circuit event), so it cannot {what}. " +
            "Do that on an HTTP request (a sign-in page, an endpoint the page calls); live connections see the result on their next call.");

    public void ThrowIfClosed()
    {
        if ((_closing & Closing.ReadOnly) != 0)
            throw new InvalidOperationException("This endpoint declared its session read-only (WithReadOnlySession or [ReadOnlySession]); remove that to write to the session.");
        if ((_closing & Closing.Committed) != 0)
            throw new InvalidOperationException("The session was already saved (the response has started, or the session was committed or disposed), so this change would be lost. Change the session before writing the response body.");
    }

    private SessionLifecycle EnsureLoaded()
    {
        if (_phase != Phase.Unloaded) return this;
        var load = LoadAsync(blocking: true, CancellationToken.None);
        if (load.IsCompleted) load.GetAwaiter().GetResult();
        else load.AsTask().GetAwaiter().GetResult();
        return this;
    }

    private SessionLifecycle EnsureToken()
    {
        _identity ??= SessionIdentity.Mint();
        return this;
    }

    private void MarkModified()
    {
        EnsureToken();
        _early?.Changed(_identity!.Key);
        SendCookieEarly();
    }

    // The Set-Cookie the session's state calls for (ResponseCookie.Decide). Before the commit
    // (final: false) it assumes the commit will store what the request changed.
    private string? CookieToSend(bool final)
    {
        if (_phase == Phase.Degraded) return null;
        var stored = _phase == Phase.Stored || (!final && _values.HasContent);
        return ResponseCookie.Decide(_request, _identity, stored, _rollCookie, destroyed: (_closing & Closing.Destroyed) != 0) switch
        {
            CookieDecision.Issue => _cookie.Issue(_runtime.Cookies, _identity!.Token, Metadata),
            CookieDecision.Expire => _cookie.Expire(_runtime.Cookies),
            _ => null,
        };
    }

    // A response that can go out before the commit (HttpListener's) gets the cookie as the session
    // changes — and, on the cookie store, the sealed session the commit will write.
    private void SendCookieEarly()
    {
        if (_early is null) return;
        _cookie.Send(_runtime.Cookies, CookieToSend(final: false), tooLateIsFine: false);
        if (_store is not IRequestBoundView view || _phase == Phase.Degraded) return;
        if (_identity is { } identity && (_phase == Phase.Stored || _values.HasContent))
            view.Preview(identity.Key, _values.ToRecord(_runtime.Time.GetUtcNow(), Metadata));
        else if ((_closing & Closing.Destroyed) != 0)
            view.Preview(_request.Key, null);
    }

    private ValueTask CreateAsync(ISessionStore store, SessionKey key, SessionRecord record, CancellationToken cancellationToken) =>
        StoreCall.Run(_runtime.StoreName, StoreCall.Create, key, (store, key, record, ct: cancellationToken), static s => s.store.CreateAsync(s.key, s.record, s.ct));

    private ValueTask DeleteAsync(ISessionStore store, SessionKey key, CancellationToken cancellationToken) =>
        StoreCall.Run(_runtime.StoreName, StoreCall.Delete, key, (store, key, ct: cancellationToken), static s => s.store.DeleteAsync(s.key, s.ct));

    public void Fail(Exception ex, string operation)
    {
        _runtime.Failures.Handle(ex, operation, _identity?.Key);
        _phase = Phase.Degraded;
        _values = default;
        SendCookieEarly();
    }

    // The session Destroy ended, with its user as far as this request knows it (for the event).
    private sealed record Doomed(SessionIdentity Identity, string? UserId);

    // Where the session stands with its store: not loaded yet; no record (none, unknown, destroyed,
    // not created yet); a record exists; the store failed under Degrade (empty, writes nothing).
    public enum Phase { Unloaded, New, Stored, Degraded }

    // What may no longer happen (writes), or must happen at the commit (expire the cookie).
    [Flags]
    private enum Closing { None = 0, ReadOnly = 1, Committed = 2, Destroyed = 4 }
}
