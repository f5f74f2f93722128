using Microsoft.Extensions.Logging;

namespace Satchel.Postgres;

/// <summary>The PostgreSQL store's log messages, category <c>Satchel.Postgres</c>, event ids 601–602 (docs/observability.md).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 601, Level = LogLevel.Debug, Message = "Removed {Count} expired sessions from {Table}")]
    public static partial void Swept(ILogger logger, int count, string table);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Sweeping expired sessions from {Table} failed; the next sweep tries again")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string table);
}
