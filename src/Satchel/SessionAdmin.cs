namespace Satchel;

/// <summary>
/// Lists and revokes the sessions of a user ("sign out everywhere else"). Needs a store that
/// offers <see cref="ISessionUserIndex"/> (memory, Redis, SQLite) and sessions whose
/// <see cref="Session.UserId"/> was set. The cookie store, which cannot list sessions, revokes
/// them all at once through <see cref="ISessionRevocation"/> when it is given a server store for it.
/// </summary>
public sealed class SessionAdmin(SessionManager manager)
{
    /// <summary>The user's live sessions, most recently seen first.</summary>
    public async ValueTask<IReadOnlyList<SessionInfo>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var stored = await ListStoredAsync(userId, cancellationToken).ConfigureAwait(false);
        return [.. stored
            .Select(s => new SessionInfo(s.Key.Id, userId, s.Metadata.Created, s.LastAccess, s.Metadata.ExpiresAt(s.LastAccess), s.Metadata.Persistent, s.Metadata.UserAgent))
            .OrderByDescending(s => s.LastSeen)];
    }

    /// <summary>Ends one of the user's sessions, by its <see cref="Session.Id"/>. <see langword="false"/> when it is not theirs or not live.</summary>
    public async ValueTask<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var stored = await ListStoredAsync(userId, cancellationToken).ConfigureAwait(false);
        var match = stored.FirstOrDefault(s => s.Key.Id == sessionId);
        if (match is null) return false;
        await EndAsync(match.Key, userId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Ends all the user's sessions but <paramref name="exceptSessionId"/> (the current one, for
    /// "sign out everywhere else"). Returns how many ended. On a store that cannot list sessions
    /// but can revoke them (<see cref="ISessionRevocation"/>: the cookie store), every session of
    /// the user ends, the count is unknown (0 is returned), and <paramref name="exceptSessionId"/>
    /// must be null: to keep the current browser signed in, call <see cref="Session.RegenerateAsync"/>
    /// in the same request afterwards, which issues it a cookie sealed after the revocation.
    /// </summary>
    /// <exception cref="NotSupportedException">The store can neither list nor revoke a user's sessions, or it cannot spare one.</exception>
    public async ValueTask<int> RevokeAllAsync(string userId, string? exceptSessionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (manager.Store.GetCapability<ISessionUserIndex>() is null && manager.Store.GetCapability<ISessionRevocation>() is { } revocation)
        {
            if (exceptSessionId is not null)
                throw new NotSupportedException($"The session store {manager.Store.GetType().Name} revokes all of a user's sessions at once and cannot spare one: pass no exceptSessionId, then call session.RegenerateAsync() in the same request to keep the current browser signed in.");
            await StoreCall.Run(manager.Runtime.StoreName, StoreCall.Revoke, null, (revocation, userId, now: manager.Runtime.Time.GetUtcNow(), ct: cancellationToken),
                static s => s.revocation.RevokeUserAsync(s.userId, s.now, s.ct)).ConfigureAwait(false);
            return 0;
        }
        var stored = await ListStoredAsync(userId, cancellationToken).ConfigureAwait(false);
        var revoked = 0;
        foreach (var session in stored)
        {
            if (session.Key.Id == exceptSessionId) continue;
            await EndAsync(session.Key, userId, cancellationToken).ConfigureAwait(false);
            revoked++;
        }
        return revoked;
    }

    private ValueTask<IReadOnlyList<StoredSession>> ListStoredAsync(string userId, CancellationToken cancellationToken) =>
        StoreCall.Run(manager.Runtime.StoreName, StoreCall.List, null, (index: Index, userId, now: manager.Runtime.Time.GetUtcNow(), ct: cancellationToken),
            static s => s.index.ListByUserAsync(s.userId, s.now, s.ct));

    private async ValueTask EndAsync(SessionKey key, string userId, CancellationToken cancellationToken)
    {
        await StoreCall.Run(manager.Runtime.StoreName, StoreCall.Delete, key, (store: manager.Store, key, ct: cancellationToken), static s => s.store.DeleteAsync(s.key, s.ct)).ConfigureAwait(false);
        await manager.Runtime.RaiseAsync(SessionEventKind.Destroyed, key, userId).ConfigureAwait(false);
    }

    private ISessionUserIndex Index => manager.Store.GetCapability<ISessionUserIndex>()
        ?? throw new NotSupportedException($"The session store {manager.Store.GetType().Name} cannot list sessions by user (it offers no ISessionUserIndex); use the memory, Redis or SQLite store for SessionAdmin (the cookie store can revoke all of a user's sessions with CookieSessionStoreOptions.Revocations).");
}
