using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Satchel;

/// <summary>
/// Opens sessions for requests. Make one per application and share it; it is thread-safe.
/// <code>
/// var sessions = new SessionManager();                               // memory store, 30-minute idle timeout
/// await using var session = await sessions.StartAsync(context);     // HttpListenerContext
/// session["testValue"] = "A session variable";
/// </code>
/// </summary>
public sealed class SessionManager : IDisposable
{
    private readonly IDisposable? _ownedStore;
    private readonly ConcurrentDictionary<string, Task> _pendingCommits = new(StringComparer.Ordinal);
    private int _pendingCount;

    /// <summary>A manager with default options on a new memory store.</summary>
    public SessionManager() : this(new SatchelOptions()) { }

    /// <summary>A manager with these options on <paramref name="store"/> (a new memory store when null).</summary>
    /// <exception cref="InvalidOperationException">The options are invalid, or a shared store has no configured secret.</exception>
    public SessionManager(SatchelOptions options, ISessionStore? store = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        CookieName = options.Cookie.EffectiveName;
        Time = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Satchel");
        if (store is null)
        {
            var memory = new MemorySessionStore(Time, options.SweepInterval);
            (store, _ownedStore) = (memory, memory);
        }
        Store = store;

        if (options.Secrets.Count > 0)
        {
            KeyRing = SessionKeyRing.FromSecrets(options.Secrets);
        }
        else if (store.IsShared)
        {
            throw new InvalidOperationException(
                $"The session store {store.GetType().Name} is shared between processes, so every process must sign cookies with the same key, but no key is configured. " +
                "Set Satchel:Secrets in configuration (e.g. the environment variable Satchel__Secrets__0) or options.Secrets.Add(...) in AddSatchel, " +
                "with a random value of at least 32 characters such as the output of `openssl rand -base64 48`.");
        }
        else
        {
            KeyRing = SessionKeyRing.Random();
            Log.RandomSigningKey(Logger);
        }
    }

    /// <summary>The options in force.</summary>
    public SatchelOptions Options { get; }

    /// <summary>The store sessions live in.</summary>
    public ISessionStore Store { get; }

    internal TimeProvider Time { get; }

    /// <summary>The cookie's name as sent, with any <c>__Host-</c> prefix (computed once).</summary>
    internal string CookieName { get; }

    internal ILogger Logger { get; }

    internal SessionKeyRing KeyRing { get; } = null!;

    internal VerifiedCookieCache VerifiedCookies { get; } = new();

    internal InvalidCookieTracker InvalidCookies => field ??= new InvalidCookieTracker(Options, Time);

    /// <summary>
    /// Opens the session of one request, for server adapters: nothing is read from the store
    /// until the session is used.
    /// </summary>
    /// <param name="cookieHeader">The request's raw Cookie header (several joined with "; "), or null.</param>
    /// <param name="isHttps">Whether the request came over HTTPS (decides the Secure attribute by default).</param>
    /// <param name="cookieSink">Where the session sends its Set-Cookie header.</param>
    public Session Open(string? cookieHeader, bool isHttps, ISessionCookieSink? cookieSink) =>
        new(this, cookieHeader, isHttps, cookieSink);

    /// <summary>Opens the session of one request from a known client address (see <see cref="SatchelOptions.InvalidCookieLimit"/>).</summary>
    /// <param name="cookieHeader">The request's raw Cookie header (several joined with "; "), or null.</param>
    /// <param name="isHttps">Whether the request came over HTTPS.</param>
    /// <param name="cookieSink">Where the session sends its Set-Cookie header.</param>
    /// <param name="clientAddress">The client's address, for spotting token guessing; null when unknown.</param>
    public Session Open(string? cookieHeader, bool isHttps, ISessionCookieSink? cookieSink, string? clientAddress) =>
        new(this, cookieHeader, isHttps, cookieSink, clientAddress: clientAddress);

    /// <summary>
    /// Starts the session of an <see cref="HttpListener"/> request and loads it. Its cookie goes
    /// into the response headers as soon as the session changes, so change it before writing the
    /// body; it saves when disposed (<c>await using</c>) or on <see cref="Session.CommitAsync"/>.
    /// HttpListener has no hook before the response goes out, so a later request of the same
    /// session in this process waits (up to 5 seconds) for that save: the browser's next request
    /// always sees it.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed and the policy is <see cref="StoreFailurePolicy.Fail"/>.</exception>
    public async ValueTask<Session> StartAsync(HttpListenerContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = new Session(this, context.Request.Headers["Cookie"], context.Request.IsSecureConnection, new HttpListenerCookieSink(context.Response, CookieName),
            tracksPendingCommit: true, clientAddress: context.Request.RemoteEndPoint?.Address.ToString());
        await session.LoadAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }

    /// <summary>Disposes the memory store this manager made itself (not a store it was given).</summary>
    public void Dispose()
    {
        _ownedStore?.Dispose();
        KeyRing.Dispose();
    }

    /// <summary>How long a listener request waits for a save of its session still under way.</summary>
    internal static readonly TimeSpan PendingCommitWait = TimeSpan.FromSeconds(5);

    internal void AddPendingCommit(string storeKey, Task commit)
    {
        _pendingCommits[storeKey] = commit;
        Interlocked.Increment(ref _pendingCount);
    }

    internal void RemovePendingCommit(string storeKey, Task commit)
    {
        if (_pendingCommits.TryRemove(new KeyValuePair<string, Task>(storeKey, commit))) Interlocked.Decrement(ref _pendingCount);
    }

    internal Task? PendingCommit(string storeKey) =>
        Volatile.Read(ref _pendingCount) > 0 && _pendingCommits.TryGetValue(storeKey, out var commit) ? commit : null;

    internal SessionMetadata NewMetadata()
    {
        var now = Time.GetUtcNow();
        return new SessionMetadata(now, Options.IdleTimeout, now + Options.AbsoluteTimeout);
    }
}
