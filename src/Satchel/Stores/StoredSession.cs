namespace Satchel.Stores;

/// <summary>One session as <see cref="ISessionUserIndex"/> lists it: no values, nothing secret.</summary>
/// <param name="Key">The session's key.</param>
/// <param name="Metadata">The session's metadata.</param>
/// <param name="LastAccess">Its last access.</param>
public sealed record StoredSession(SessionKey Key, SessionMetadata Metadata, DateTimeOffset LastAccess);
