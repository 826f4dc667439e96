using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// Sends due deliveries, in every process that runs it (the Api and each worker): it polls the deliveries table
/// every Webhooks:PollInterval (sooner when <see cref="WebhookDispatchSignal"/> wakes it), claims each due row
/// through <see cref="DeliveryLedger"/> and sends up to Webhooks:MaxConcurrentDeliveries at once. It runs apart from
/// the analysis, so a slow or dead receiver costs a delivery slot, never a job's time.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    WebhookDispatchSignal signal,
    IOptions<WebhookOptions> options,
    SpeechEmotionMetrics metrics,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database away for a moment: the rows wait, the next pass tries again.
                logger.LogWarning(exception, "Webhook dispatch pass failed; trying again in {PollInterval}", options.Value.PollInterval);
            }
            if (sent == 0)
            {
                try
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One pass: every delivery due now, claimed and sent. Returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<DeliveryLedger>()
                .FindDueAsync(options.Value.MaxConcurrentDeliveries * 4, cancellationToken);
        }
        var sent = 0;
        await Parallel.ForEachAsync(due,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrentDeliveries, CancellationToken = cancellationToken },
            async (deliveryId, token) =>
            {
                if (await SendOneAsync(deliveryId, token))
                {
                    Interlocked.Increment(ref sent);
                }
            });
        return sent;
    }

    private async Task<bool> SendOneAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();
        var claim = await ledger.TryClaimAsync(deliveryId, cancellationToken);
        if (claim is null)
        {
            return false;
        }
        var (delivery, subscription, _) = claim;
        if (!subscription.IsActive)
        {
            await ledger.CancelAsync(claim, CancellationToken.None);
            return false;
        }

        AttemptOutcome outcome;
        try
        {
            var webhookId = delivery.Id.ToString();
            outcome = await scope.ServiceProvider.GetRequiredService<WebhookSender>().SendAsync(delivery.Url, webhookId, delivery.Payload,
                timestamp => WebhookSecrets.SignatureHeader(subscription, webhookId, timestamp, delivery.Payload), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ledger.ReleaseAsync(claim, CancellationToken.None);   // stopping: another process sends it now
            throw;
        }

        metrics.WebhookDelivered(await ledger.RecordAsync(claim, outcome, CancellationToken.None));
        Log(delivery, outcome);
        return true;
    }

    private void Log(WebhookDelivery delivery, AttemptOutcome outcome)
    {
        if (outcome.Delivered)
        {
            logger.LogInformation("Webhook {DeliveryId} ({EventType}) delivered: {StatusCode} after {Attempts} attempt(s)",
                delivery.Id, delivery.EventType, outcome.StatusCode, delivery.AttemptCount + 1);
            return;
        }
        logger.LogWarning("Webhook {DeliveryId} ({EventType}) attempt {Attempt} failed: {StatusCode} {Error}",
            delivery.Id, delivery.EventType, delivery.AttemptCount + 1, outcome.StatusCode, outcome.Error);
    }
}
