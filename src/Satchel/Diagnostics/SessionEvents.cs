namespace Satchel;

/// <summary>
/// What the application hears about sessions' lives: set the handlers in
/// <c>AddSatchel(o =&gt; o.Events.OnCreated = ...)</c>. Each runs after the store did the thing it
/// reports, in the request that did it (created, regenerated, destroyed) or on the store's sweep
/// (expired). A handler that throws is logged (event 14) and does not fail the request. Handlers
/// run before the response starts, so keep them short: queue slow work.
/// </summary>
public sealed class SessionEvents
{
    /// <summary>A session was stored for the first time.</summary>
    public Func<SessionEvent, ValueTask>? OnCreated { get; set; }

    /// <summary>A stored session moved to a new token (<see cref="Session.RegenerateAsync"/>, sign-in); <see cref="SessionEvent.PreviousId"/> is the old Id.</summary>
    public Func<SessionEvent, ValueTask>? OnRegenerated { get; set; }

    /// <summary>The application ended a session: <see cref="Session.Destroy"/>, sign-out, or a <see cref="SessionAdmin"/> revocation.</summary>
    public Func<SessionEvent, ValueTask>? OnDestroyed { get; set; }

    /// <summary>
    /// The store's sweep removed an expired session. Only stores that remove expired sessions
    /// themselves report it (<see cref="ISessionExpiryEvents"/>: memory, SQLite); on Redis keys
    /// expire inside the server, and the cookie store keeps nothing to sweep.
    /// </summary>
    public Func<SessionEvent, ValueTask>? OnExpired { get; set; }

    internal Func<SessionEvent, ValueTask>? For(SessionEventKind kind) => kind switch
    {
        SessionEventKind.Created => OnCreated,
        SessionEventKind.Regenerated => OnRegenerated,
        SessionEventKind.Destroyed => OnDestroyed,
        _ => OnExpired,
    };
}

/// <summary>What happened to a session.</summary>
public enum SessionEventKind
{
    /// <summary>Stored for the first time.</summary>
    Created,

    /// <summary>Moved to a new token.</summary>
    Regenerated,

    /// <summary>Ended by the application.</summary>
    Destroyed,

    /// <summary>Removed by the store's sweep after it expired.</summary>
    Expired,
}

/// <summary>One event in a session's life.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Id">The session's non-secret Id (<see cref="Session.Id"/>); after a regeneration, the new one.</param>
/// <param name="PreviousId">The Id before a regeneration; otherwise <see langword="null"/>.</param>
/// <param name="UserId">The session's user, when set and known (a session destroyed before it loaded has none here).</param>
/// <param name="Time">When it happened (for an expiry: when the session expired).</param>
public sealed record SessionEvent(SessionEventKind Kind, string Id, string? PreviousId, string? UserId, DateTimeOffset Time);
