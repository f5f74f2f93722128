namespace Satchel;

/// <summary>A session as an admin page shows it: nothing in it lets anyone take the session over.</summary>
/// <param name="Id">The non-secret handle (<see cref="Session.Id"/>).</param>
/// <param name="UserId">The user.</param>
/// <param name="Created">When it began.</param>
/// <param name="LastSeen">Its last request that wrote or refreshed it.</param>
/// <param name="ExpiresAt">When it ends unless used again.</param>
/// <param name="Persistent">Whether its cookie is "remember me".</param>
/// <param name="UserAgent">The user agent, if the application recorded it.</param>
public sealed record SessionInfo(string Id, string UserId, DateTimeOffset Created, DateTimeOffset LastSeen, DateTimeOffset ExpiresAt, bool Persistent, string? UserAgent);
