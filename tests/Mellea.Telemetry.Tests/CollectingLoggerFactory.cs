using Microsoft.Extensions.Logging;

namespace Mellea.Telemetry.Tests;

/// <summary>Records every log entry, so tests can assert on the exact warnings the bootstrap writes.</summary>
internal sealed class CollectingLoggerFactory : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<(string Category, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IReadOnlyList<string> Warnings => [.. Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._gate)
            {
                owner._entries.Add((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
