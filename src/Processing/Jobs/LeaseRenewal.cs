using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SpeechEmotion.Processing.Jobs;

/// <summary>
/// Keeps a claim's lease alive while its job is being analysed: every <c>Processing:LeaseRenewalInterval</c> it
/// extends the lease, in a scope of its own (the consumer's DbContext is busy and not thread-safe). When a renewal
/// finds the claim gone, <see cref="ClaimLost"/> fires so the analysis stops instead of finishing work nobody will
/// keep. Disposing stops the renewals.
/// </summary>
public sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource lost = new();
    private readonly Task loop;

    private LeaseRenewal(ClaimedJob claim, IServiceScopeFactory scopes, TimeSpan interval, ILogger logger)
    {
        loop = RenewUntilStopped(claim, scopes, interval, logger);
    }

    /// <summary>Cancelled once a renewal found that this worker no longer owns the job.</summary>
    public CancellationToken ClaimLost => lost.Token;

    public static LeaseRenewal Start(ClaimedJob claim, IServiceScopeFactory scopes, TimeSpan interval, ILogger logger) =>
        new(claim, scopes, interval, logger);

    private async Task RenewUntilStopped(ClaimedJob claim, IServiceScopeFactory scopes, TimeSpan interval, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                if (!await TryRenew(claim, scopes, logger))
                {
                    logger.LogWarning("Job {JobId}: the claim was lost (lease expired and taken over); stopping its analysis", claim.JobId);
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A failed renewal (database blip) is not a lost claim: the next tick tries again, well within the lease.</summary>
    private async Task<bool> TryRenew(ClaimedJob claim, IServiceScopeFactory scopes, ILogger logger)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RenewLeaseAsync(claim, stop.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Job {JobId}: renewing the lease failed; trying again at the next interval", claim.JobId);
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stop.Dispose();
        lost.Dispose();
    }
}
