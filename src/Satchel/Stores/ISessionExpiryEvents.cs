namespace Satchel.Stores;

/// <summary>
/// A store capability: telling the application which sessions expired. Only a store that removes
/// expired sessions itself can (memory and SQLite, by their sweeps); Redis drops keys by TTL
/// inside the server, and the cookie store and caches have nobody to ask. The manager subscribes
/// and raises <see cref="SessionEvents.OnExpired"/> and <c>satchel.session.expired</c>.
/// </summary>
public interface ISessionExpiryEvents
{
    /// <summary>
    /// Raised once per session the store removed because it expired, after the removal, on the
    /// sweep's thread. A store gathers the details only while someone is subscribed.
    /// </summary>
    event Action<ExpiredSession>? Expired;
}

/// <summary>A session a store removed because it expired.</summary>
/// <param name="Key">The session's key (its <see cref="SessionKey.Id"/> is the session's Id).</param>
/// <param name="UserId">The user it belonged to, if set.</param>
/// <param name="LastAccess">When a request last used it.</param>
/// <param name="ExpiredAt">When it expired (idle timeout or absolute deadline, whichever came first).</param>
public readonly record struct ExpiredSession(SessionKey Key, string? UserId, DateTimeOffset LastAccess, DateTimeOffset ExpiredAt);
