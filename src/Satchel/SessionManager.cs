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
    private readonly ISessionExpiryEvents? _expiry;

    /// <summary>A manager with default options on a new memory store.</summary>
    public SessionManager() : this(new SatchelOptions()) { }

    /// <summary>A manager with these options on <paramref name="store"/> (a new memory store when null).</summary>
    /// <exception cref="InvalidOperationException">The options are invalid, or a shared store has no configured secret.</exception>
    public SessionManager(SatchelOptions options, ISessionStore? store = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var time = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Satchel");
        if (store is null)
        {
            var memory = new MemorySessionStore(null, time);
            (store, _ownedStore) = (memory, memory);
        }
        if (store.GetCapability<IRequestBoundStore>() is not null && options.TokenHeader is not null)
            throw new InvalidOperationException(
                $"Satchel:TokenHeader is set, but the session store {store.GetType().Name} keeps sessions in cookies, which clients of header tokens do not keep. Use a server-side store (memory, Redis, SQLite) for header tokens.");
        SessionKeyRing keyRing;
        if (options.Secrets.Count > 0)
        {
            keyRing = SessionKeyRing.FromSecrets(options.Secrets);
        }
        else if (store.Guarantees.HasFlag(SessionStoreGuarantees.Shared))
        {
            throw new InvalidOperationException(
                $"The session store {store.GetType().Name} is shared between processes, so every process must sign cookies with the same key, but no key is configured. " +
                "Set Satchel:Secrets in configuration (e.g. the environment variable Satchel__Secrets__0) or options.Secrets.Add(...) in AddSatchel, " +
                "with a random value of at least 32 characters such as the output of `openssl rand -base64 48`.");
        }
        else
        {
            keyRing = SessionKeyRing.Random();
            Log.RandomSigningKey(logger);
        }
        if (options.RequireOneStepValues && store.GetCapability<ISessionOneStepValues>() is null)
            throw new InvalidOperationException(
                $"Satchel:RequireOneStepValues is set, but the session store {store.GetType().Name} cannot change a value in one step (it offers no ISessionOneStepValues). " +
                "Use the memory, Redis or SQLite store, or turn the option off.");
        Runtime = new SessionRuntime(options, store, time, logger, keyRing);
        SatchelMetrics.Observe(store);
        _expiry = store.GetCapability<ISessionExpiryEvents>();
        if (_expiry is not null) _expiry.Expired += OnStoreExpired;
    }

    /// <summary>The options in force.</summary>
    public SatchelOptions Options => Runtime.Options;

    /// <summary>The store sessions live in.</summary>
    public ISessionStore Store => Runtime.Store;

    /// <summary>The session cookie's name as sent, with any <c>__Host-</c> prefix.</summary>
    public string CookieName => Runtime.Cookies.Name;

    /// <summary>
    /// A session of this manager ended in this process: destroyed (<see cref="Session.Destroy"/>,
    /// sign-out), revoked through <see cref="SessionAdmin"/>, moved to a new token
    /// (<see cref="SessionEventKind.Regenerated"/>: the session that ended is
    /// <see cref="SessionEvent.PreviousId"/>), or removed by the store's sweep after it expired.
    /// Raised right after the store did it, on that request's or the sweep's thread: keep handlers
    /// short. Live connections use it to stop acting for a session that ended. On a store that
    /// carries notices between processes (<see cref="ISessionEndBroadcast"/>: Redis), a session
    /// ended by another process sharing the store is raised here too, with its
    /// <see cref="SessionEvent.UserId"/> unknown.
    /// </summary>
    public event Action<SessionEvent>? SessionEnded
    {
        add
        {
            Runtime.Ended += value;
            Runtime.ListenElsewhere();
        }
        remove => Runtime.Ended -= value;
    }

    /// <summary>Disposes the memory store this manager made itself (not a store it was given).</summary>
    public void Dispose()
    {
        if (_expiry is not null) _expiry.Expired -= OnStoreExpired;
        _ownedStore?.Dispose();
        Runtime.Cookies.KeyRing.Dispose();
    }

    /// <summary>What each session of this manager works with, handed to it at construction.</summary>
    internal SessionRuntime Runtime { get; }

    // On the store's sweep: nobody awaits it, so the handler's own work runs on and logs its failure.
    private void OnStoreExpired(ExpiredSession expired) =>
        _ = Runtime.RaiseAsync(SessionEventKind.Expired, expired.Key, expired.UserId, time: expired.ExpiredAt).AsTask();
}
