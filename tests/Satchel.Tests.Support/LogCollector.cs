using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Satchel.Tests.Support;

/// <summary>Captures every log line, to check what was logged and that no token ever was.</summary>
public sealed class LogCollector : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<LogLine> Lines { get; } = new();

    public IEnumerable<LogLine> At(LogLevel level) => Lines.Where(l => l.Level == level);

    public string AllText => string.Join("\n", Lines.Select(l => l.Message + " " + l.Exception));

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    public sealed record LogLine(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue(new LogLine(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
