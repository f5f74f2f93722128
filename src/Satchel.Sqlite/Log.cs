using Microsoft.Extensions.Logging;

namespace Satchel.Sqlite;

/// <summary>The SQLite store's log messages, category <c>Satchel.Sqlite</c>, event ids 301–302 (docs/observability.md).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Removed {Count} expired sessions from {Database}")]
    public static partial void Swept(ILogger logger, int count, string database);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Sweeping expired sessions from {Database} failed; the next sweep tries again")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string database);
}
