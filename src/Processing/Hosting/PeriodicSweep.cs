using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SpeechEmotion.Processing.Hosting;

/// <summary>
/// The hosted loop every sweep shares: it waits until the host has started (the database is migrated, the bus can
/// publish), then runs one pass every <see cref="Interval"/> for as long as the host lives, each pass in a scope of
/// its own. A failed pass is logged and the next tick tries again: a database or broker outage must not stop a sweep
/// for good.
/// </summary>
public abstract class PeriodicSweep(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger logger) : BackgroundService
{
    /// <summary>Time between passes; null switches the sweep off (it never runs).</summary>
    protected abstract TimeSpan? Interval { get; }

    /// <summary>What the logs call this sweep ("Recovery sweep").</summary>
    protected abstract string Name { get; }

    /// <summary>One pass, with the services of its own scope.</summary>
    protected abstract Task SweepOnceAsync(IServiceProvider services, CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval is not { } interval)
        {
            return;
        }
        if (!await WhenStarted(stoppingToken))
        {
            return;   // the host stopped before it started (a port in use, say): nothing to sweep, nothing to report
        }
        using var timer = new PeriodicTimer(interval);
        do
        {
            await SweepOnce(interval, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SweepOnce(TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await SweepOnceAsync(scope.ServiceProvider, stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "{Sweep} failed; will retry in {Interval}", Name, interval);
        }
    }

    /// <summary>True once the host has started; false when it is stopped first.</summary>
    private Task<bool> WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult(true));
        stoppingToken.Register(() => started.TrySetResult(false));
        return started.Task;
    }
}
