namespace Satchel.Stores;

/// <summary>
/// A store capability: listing the sessions of one user, for <see cref="SessionAdmin"/> ("sign out
/// everywhere"). Found through <see cref="ISessionStore.GetCapability{T}"/>.
/// </summary>
public interface ISessionUserIndex
{
    /// <summary>
    /// The sessions live at <paramref name="now"/> whose <see cref="SessionMetadata.UserId"/> is
    /// <paramref name="userId"/>. Entries of sessions that ended or changed user are left out (and
    /// may be pruned from the index on the way).
    /// </summary>
    ValueTask<IReadOnlyList<StoredSession>> ListByUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
