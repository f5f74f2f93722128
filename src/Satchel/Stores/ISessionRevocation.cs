namespace Satchel.Stores;

/// <summary>
/// A store capability: ending every session of a user at once when the store cannot list them —
/// the cookie store, whose sessions live in browsers. Found through
/// <see cref="ISessionStore.GetCapability{T}"/>; <see cref="SessionAdmin.RevokeAllAsync"/> uses it
/// when the store offers no <see cref="ISessionUserIndex"/>.
/// </summary>
public interface ISessionRevocation
{
    /// <summary>From now on, no session of <paramref name="userId"/> whose cookie was issued at or before <paramref name="before"/> (to the millisecond, the precision of a sealed cookie) loads.</summary>
    ValueTask RevokeUserAsync(string userId, DateTimeOffset before, CancellationToken cancellationToken = default);
}
