using Microsoft.Extensions.Logging;

namespace Satchel;

/// <summary>Satchel's log messages. Sessions appear by their non-secret Id, never by token.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Session cookie rejected: {Reason}.")]
    public static partial void CookieRejected(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Session {SessionId} is not in the store (expired, destroyed or never issued); a new session starts if something is stored.")]
    public static partial void UnknownSession(ILogger logger, string sessionId);

    [LoggerMessage(3, LogLevel.Warning, "No Satchel:Secrets configured: session cookies are signed with a random key for this process only, so sessions end when it restarts. Configure Satchel:Secrets for production.")]
    public static partial void RandomSigningKey(ILogger logger);

    [LoggerMessage(4, LogLevel.Error, "Session store {Store} failed to {Operation} session {SessionId}.")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string store, string operation, string sessionId);

    [LoggerMessage(5, LogLevel.Warning, "Session store failed; request {SessionId} goes on with an empty session that saves nothing (StoreFailurePolicy.Degrade).")]
    public static partial void Degraded(ILogger logger, string sessionId);

    [LoggerMessage(6, LogLevel.Warning, "Session {SessionId} was loaded synchronously, blocking a thread on the store. Call 'await session.LoadAsync()' first, or take a Session parameter in the endpoint; on ASP.NET Core, Satchel:LoadBeforeEndpoint loads every request's session before its endpoint.")]
    public static partial void SynchronousLoad(ILogger logger, string sessionId);

    [LoggerMessage(7, LogLevel.Debug, "Session {SessionId} created.")]
    public static partial void Created(ILogger logger, string sessionId);

    [LoggerMessage(8, LogLevel.Debug, "Session {SessionId} destroyed.")]
    public static partial void Destroyed(ILogger logger, string sessionId);

    [LoggerMessage(9, LogLevel.Debug, "Session {OldSessionId} regenerated as {SessionId}.")]
    public static partial void Regenerated(ILogger logger, string oldSessionId, string sessionId);

    [LoggerMessage(10, LogLevel.Warning, "Session {SessionId} ended in another request (sign-out, sign-in, revocation or expiry) before this one committed; its changes were not saved, and the commit throws SessionEndedException (409 in ASP.NET Core).")]
    public static partial void CommitToEndedSession(ILogger logger, string sessionId);

    [LoggerMessage(15, LogLevel.Debug, "Session {SessionId} ended in another request before this one changed a value in one step; the change goes into a new session.")]
    public static partial void OneStepOnEndedSession(ILogger logger, string sessionId);

    [LoggerMessage(11, LogLevel.Warning, "Waited for an earlier request's save of session {SessionId} and went on without it. Dispose every session that StartAsync returns (await using).")]
    public static partial void PendingCommitTimedOut(ILogger logger, string sessionId);

    [LoggerMessage(13, LogLevel.Warning, "Session {OldSessionId} was regenerated as {SessionId}, but store {Store} failed to delete the old record; it expires by itself and holds nothing set after the regeneration.")]
    public static partial void OldRecordNotDeleted(ILogger logger, Exception exception, string store, string oldSessionId, string sessionId);

    [LoggerMessage(12, LogLevel.Warning, "Client {Client} sent {Rejected} invalid session cookies within {WindowSeconds} s: possibly guessing session tokens.")]
    public static partial void InvalidCookieBurst(ILogger logger, string client, int rejected, double windowSeconds);

    [LoggerMessage(14, LogLevel.Error, "The application's handler of session event {Kind} failed for session {SessionId}; the session is unaffected.")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, SessionEventKind kind, string sessionId);
}
