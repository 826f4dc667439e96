using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// The lines the host's console logger would print, written by the host's own console formatter (the one
/// Logging:Console:FormatterName names, with the host's formatter options and scopes), captured instead of
/// written to stdout, which tests running in parallel share.
/// </summary>
public sealed class ConsoleLineCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly List<(string Category, string Line)> lines = [];
    private readonly ConsoleFormatter formatter;
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    private ConsoleLineCapture(IServiceProvider services)
    {
        // Without a FormatterName the console logger falls back to its obsolete settings (no timestamps, no scopes):
        // a capture that guessed a formatter here would hide that, so it refuses instead.
        var name = services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName;
        formatter = services.GetServices<ConsoleFormatter>().SingleOrDefault(f => f.Name == name)
            ?? throw new InvalidOperationException($"The console logger names no known formatter (FormatterName '{name}').");
    }

    /// <summary>Registers a capture in the host; find it afterwards with <see cref="Of"/>.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.AddSingleton<ILoggerProvider>(provider => new ConsoleLineCapture(provider));

    public static ConsoleLineCapture Of(IServiceProvider services) =>
        services.GetServices<ILoggerProvider>().OfType<ConsoleLineCapture>().Single();

    /// <summary>The formatter the console logger uses: the one named by its options.</summary>
    public string FormatterName => formatter.Name;

    public IReadOnlyList<string> LinesOf(string category)
    {
        lock (lines)
        {
            return lines.Where(entry => entry.Category == category).Select(entry => entry.Line).ToList();
        }
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> format)
    {
        using var writer = new StringWriter();
        formatter.Write(new LogEntry<TState>(level, category, eventId, state, exception, format), scopes, writer);
        lock (lines)
        {
            lines.Add((category, writer.ToString()));
        }
    }

    private sealed class CapturingLogger(ConsoleLineCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Write(category, logLevel, eventId, state, exception, formatter);
    }
}
