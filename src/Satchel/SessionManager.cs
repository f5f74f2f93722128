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
        Options = options;
        CookieName = options.Cookie.EffectiveName;
        Time = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Satchel");
        if (store is null)
        {
            var memory = new MemorySessionStore(null, Time);
            (store, _ownedStore) = (memory, memory);
        }
        Store = store;
        StoreName = store.GetType().Name;
        RequestBound = store.GetCapability<IRequestBoundStore>();
        if (RequestBound is not null && options.TokenHeader is not null)
            throw new InvalidOperationException(
                $"Satchel:TokenHeader is set, but the session store {StoreName} keeps sessions in cookies, which clients of header tokens do not keep. Use a server-side store (memory, Redis, SQLite) for header tokens.");
        Limits = new SessionLimits(options);
        Failures = new StoreFailureHandler(options.StoreFailurePolicy, StoreName, Logger);
        InvalidCookies = new InvalidCookieTracker(options, Time, Logger);
        Touches = new TouchMemo(Time, options.TouchInterval);

        if (options.Secrets.Count > 0)
        {
            KeyRing = SessionKeyRing.FromSecrets(options.Secrets);
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
            KeyRing = SessionKeyRing.Random();
            Log.RandomSigningKey(Logger);
        }
        if (options.RequireOneStepValues && store.GetCapability<ISessionOneStepValues>() is null)
            throw new InvalidOperationException(
                $"Satchel:RequireOneStepValues is set, but the session store {store.GetType().Name} cannot change a value in one step (it offers no ISessionOneStepValues). " +
                "Use the memory, Redis or SQLite store, or turn the option off.");
        SatchelMetrics.Observe(store);
        _expiry = store.GetCapability<ISessionExpiryEvents>();
        if (_expiry is not null) _expiry.Expired += OnStoreExpired;
    }

    /// <summary>The options in force.</summary>
    public SatchelOptions Options { get; }

    /// <summary>The store sessions live in.</summary>
    public ISessionStore Store { get; }

    /// <summary>The session cookie's name as sent, with any <c>__Host-</c> prefix.</summary>
    public string CookieName { get; }

    /// <summary>Whether the cookie carries Secure for a request that came over HTTPS or not.</summary>
    internal bool IsSecure(bool isHttps) => isHttps || Options.Cookie.Secure == SessionCookieSecurePolicy.Always || Options.Cookie.UseHostPrefix;

    /// <summary>Disposes the memory store this manager made itself (not a store it was given).</summary>
    public void Dispose()
    {
        if (_expiry is not null) _expiry.Expired -= OnStoreExpired;
        _ownedStore?.Dispose();
        KeyRing.Dispose();
    }

    /// <summary>The store, when its sessions travel with the request (the cookie store); null for a server-side store.</summary>
    internal IRequestBoundStore? RequestBound { get; }

    internal TimeProvider Time { get; }

    /// <summary>The store's type name, for logs, metrics and spans.</summary>
    internal string StoreName { get; }

    internal ILogger Logger { get; }

    internal SessionKeyRing KeyRing { get; } = null!;

    internal VerifiedCookieCache VerifiedCookies { get; } = new();

    internal InvalidCookieTracker InvalidCookies { get; }

    internal SessionLimits Limits { get; }

    internal StoreFailureHandler Failures { get; }

    internal TouchMemo Touches { get; }


    internal SessionMetadata NewMetadata()
    {
        var now = Time.GetUtcNow();
        return new SessionMetadata(now, Options.IdleTimeout, now + Options.AbsoluteTimeout);
    }

    /// <summary>
    /// Counts and reports one event of a session's life: the metric (expiry is counted per store, by
    /// <see cref="SatchelMetrics.Observe"/>), and the application's handler when it set one. A
    /// handler's failure is logged, never thrown at the request.
    /// </summary>
    internal ValueTask RaiseAsync(SessionEventKind kind, SessionKey key, string? userId, SessionKey? previous = null, DateTimeOffset? time = null)
    {
        (kind switch
        {
            SessionEventKind.Created => SatchelMetrics.SessionsCreated,
            SessionEventKind.Regenerated => SatchelMetrics.SessionsRegenerated,
            SessionEventKind.Destroyed => SatchelMetrics.SessionsDestroyed,
            _ => null,
        })?.Add(1);
        if (Options.Events.For(kind) is not { } handler) return ValueTask.CompletedTask;
        var raised = new SessionEvent(kind, key.Id, previous?.Id, userId, time ?? Time.GetUtcNow());
        try
        {
            var pending = handler(raised);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitHandlerAsync(pending, raised);
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(Logger, ex, kind, raised.Id);
            return ValueTask.CompletedTask;
        }
    }

    private async ValueTask AwaitHandlerAsync(ValueTask pending, SessionEvent raised)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(Logger, ex, raised.Kind, raised.Id);
        }
    }

    // On the store's sweep: nobody awaits it, so the handler's own work runs on and logs its failure.
    private void OnStoreExpired(ExpiredSession expired) =>
        _ = RaiseAsync(SessionEventKind.Expired, expired.Key, expired.UserId, time: expired.ExpiredAt).AsTask();
}
