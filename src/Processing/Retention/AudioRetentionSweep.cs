using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SpeechEmotion.Processing.Retention;

/// <summary>Runs <see cref="AudioRetention"/> every Retention:SweepInterval while Retention:AudioDays is set.</summary>
public sealed class AudioRetentionSweep(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IOptions<RetentionOptions> options,
    ILogger<AudioRetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AudioDays is null)
        {
            return;   // keep audio until its job is deleted
        }
        // Sweep only once the host is up: the database is migrated.
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
            await scope.ServiceProvider.GetRequiredService<AudioRetention>().SweepOnceAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The database being down must not stop retention for good; the next tick tries again.
            logger.LogWarning(exception, "Audio retention sweep failed; will retry in {Interval}", options.Value.SweepInterval);
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
