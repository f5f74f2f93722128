namespace Satchel;

/// <summary>
/// One request's view of its browser's session. Loaded from the store on first use; records
/// which keys the request set or removed and commits exactly that, once, before the response
/// starts. Not thread-safe: use it from the request's own flow, like the request itself.
/// </summary>
/// <remarks>
/// This type is the public face only: what happens to the session lives in
/// <see cref="SessionLifecycle"/>, one-step changes in <see cref="OneStepValues"/>, typed values in
/// <see cref="SessionValueExtensions"/>, and the Set-Cookie decision in the cookie's own type.
/// </remarks>
public sealed class Session : IAsyncDisposable
{
    private readonly SessionLifecycle _life;

    // headerToken: the request's TokenHeader value when it carried that header (then it is the
    // session's transport both ways), else null.
    internal Session(SessionRuntime runtime, string? cookieHeader, bool isHttps, string? clientAddress, SessionCookieSink? sink, string? headerToken) =>
        _life = new SessionLifecycle(runtime, cookieHeader, isHttps, clientAddress, sink, headerToken);

    /// <summary>
    /// A short, non-secret handle for this session (a prefix of the token's hash): safe for logs
    /// and admin pages, useless to an attacker. It changes when the session is regenerated.
    /// </summary>
    public string Id => _life.Id;

    /// <summary>Whether the session is new in this request (the store held none for the browser).</summary>
    public bool IsNew => _life.IsNew;

    /// <summary>Whether the session was loaded (or needed no load) and the store did not fail.</summary>
    public bool IsAvailable => _life.IsAvailable;

    /// <summary>What this request has done to the session.</summary>
    public SessionStatus Status => _life.Status;

    /// <summary>The keys the session holds.</summary>
    public IReadOnlyCollection<string> Keys => _life.Keys;

    /// <summary>
    /// The user this session belongs to. Setting it indexes the session under the user, so
    /// <see cref="SessionAdmin"/> can list and revoke the user's sessions. Set it after
    /// <see cref="RegenerateAsync"/> at sign-in.
    /// </summary>
    public string? UserId
    {
        get => _life.UserId;
        set => _life.UserId = value;
    }

    /// <summary>The user agent, if the application records it (shown in <see cref="SessionAdmin"/> lists).</summary>
    public string? UserAgent
    {
        get => _life.UserAgent;
        set => _life.UserAgent = value;
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

    /// <summary>Removes <paramref name="key"/>; <see langword="false"/> when the session lacked it.</summary>
    public bool Remove(string key) => _life.Remove(key);

    /// <summary>Removes every value (the session itself, its user and lifetime stay).</summary>
    public void Clear() => _life.Clear();

    /// <summary>
    /// Loads the session from the store now. Values load on first use anyway; calling this first
    /// keeps a slow store from blocking a thread.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public ValueTask LoadAsync(CancellationToken cancellationToken = default) => _life.LoadAsync(blocking: false, cancellationToken);

    /// <summary>
    /// Saves this request's changes and sends the session's cookie. The adapter does it before the
    /// response starts; call it yourself only to save early (before streaming a body from
    /// HttpListener, say). After it, writes throw.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    /// <exception cref="SessionEndedException">The session ended in another request before this one saved its changes.</exception>
    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => _life.CommitAsync(cancellationToken);

    /// <summary>
    /// Gives the session a new token, keeping its data; the old token stops working at once.
    /// Call it when the user signs in (or their privileges change) against session fixation.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public ValueTask RegenerateAsync(CancellationToken cancellationToken = default) => _life.RegenerateAsync(cancellationToken);

    /// <summary>
    /// Ends the session: the commit deletes its record and the response expires the cookie, so
    /// the old cookie is dead even if replayed. Writing to the session afterwards starts a new one.
    /// </summary>
    public void Destroy() => _life.Destroy();

    /// <summary>
    /// Makes the cookie persistent ("remember me"): the session now lives <paramref name="lifetime"/>
    /// from each request (rolling), and its absolute deadline is extended to at least
    /// <paramref name="lifetime"/> from now. The cookie's Max-Age never goes past the session's end.
    /// </summary>
    public void RememberMe(TimeSpan lifetime) => _life.RememberMe(lifetime);

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
    public ValueTask<long> IncrementAsync(string key, long by = 1, CancellationToken cancellationToken = default) => OneStepValues.IncrementAsync(_life, key, by, cancellationToken);

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
    public ValueTask<bool> ReplaceJsonAsync(string key, ReadOnlyMemory<byte>? expectedJson, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken = default) =>
        OneStepValues.ReplaceJsonAsync(_life, key, expectedJson, utf8Json, cancellationToken);

    /// <summary>
    /// Takes the session for this request alone until the returned handle is disposed: requests
    /// that do the same wait their turn (at most <see cref="SatchelOptions.ExclusiveTimeout"/>).
    /// Call it before the session loads; ASP.NET Core's <c>RequireExclusiveSession()</c> does.
    /// A request without a valid session cookie has nothing to share and waits for nothing.
    /// </summary>
    /// <exception cref="SessionLockTimeoutException">Other requests held the session too long.</exception>
    /// <exception cref="NotSupportedException">The store cannot lock sessions.</exception>
    public ValueTask<IAsyncDisposable?> AcquireExclusiveAsync(CancellationToken cancellationToken = default) => _life.AcquireExclusiveAsync(cancellationToken);

    /// <summary>Commits the session (see <see cref="CommitAsync"/>).</summary>
    public ValueTask DisposeAsync() => _life.CommitAsync();

    /// <summary>The client's address as the adapter saw it, or <see langword="null"/>.</summary>
    internal string? ClientAddress => _life.ClientAddress;

    /// <summary>The key of the session the request's cookie names, if the cookie verified.</summary>
    internal SessionKey? RequestKey => _life.RequestKey;

    internal void SetOwnedJson(string key, byte[] json) => _life.SetOwnedJson(key, json);

    // For adapters (SessionAdapter) and typed values (SessionValueExtensions): not on the handler's face.
    internal bool TryGetJson(string key, out ReadOnlySpan<byte> utf8Json) => _life.TryGetJson(key, out utf8Json);

    internal void DiscardChanges() => _life.DiscardChanges();

    internal void MakeReadOnly() => _life.MakeReadOnly();
}
