using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Recovery;

/// <summary>Runs <see cref="StuckJobRecovery"/> every Processing:SweepInterval for as long as the host lives.</summary>
public sealed class RecoverySweep(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IOptions<ProcessingOptions> options,
    ILogger<RecoverySweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Sweep only once the host is up: the database is migrated and the bus can publish.
        await WhenStarted(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            await SweepOnce(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SweepOnce(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The database or bus being down must not stop the sweep for good; the next tick tries again.
            logger.LogWarning(exception, "Recovery sweep failed; will retry in {Interval}", options.Value.SweepInterval);
        }
    }

    private Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }
}
