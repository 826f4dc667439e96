using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Webhooks;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>A delivery this process now owns for one attempt, with the subscription whose secret signs it.</summary>
public sealed record ClaimedDelivery(WebhookDelivery Delivery, WebhookSubscription Subscription, Guid ClaimToken);

/// <summary>
/// Every state change of a delivery, each a conditional UPDATE (like the job ledger): a delivery is claimed by one
/// process at a time, for <c>Webhooks:ClaimDuration</c>, and only the claim's holder records the attempt's outcome.
/// </summary>
public sealed class DeliveryLedger(JobsDbContext db, IOptions<WebhookOptions> options, RetrySchedule schedule, TimeProvider time)
{
    /// <summary>Ids of deliveries whose next attempt is due and which nobody holds, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> FindDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = Now;
        return await Due(db.WebhookDeliveries, now)
            .OrderBy(d => d.NextAttemptAt)
            .Select(d => d.Id)
            .Take(max)
            .ToListAsync(cancellationToken);
    }

    public async Task<ClaimedDelivery?> TryClaimAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var now = Now;
        var token = Guid.NewGuid();
        var claimed = await Due(db.WebhookDeliveries.Where(d => d.Id == deliveryId), now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.ClaimToken, token)
                .SetProperty(d => d.ClaimExpiresAt, now + options.Value.ClaimDuration), cancellationToken);
        if (claimed == 0)
        {
            return null;   // another process took it first, or it is no longer due
        }
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId, cancellationToken);
        var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        return new ClaimedDelivery(delivery, subscription, token);
    }

    /// <summary>
    /// Keeps the attempt and moves the delivery on: delivered (2xx), dead (410, or out of retries), or pending until
    /// its next attempt. A 410 also disables an endpoint subscription. Returns the outcome's metric label
    /// (delivered, retrying, dead, gone).
    /// </summary>
    public async Task<string> RecordAsync(ClaimedDelivery claim, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var now = Now;
        var delivery = claim.Delivery;
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            Id = Guid.CreateVersion7(),
            DeliveryId = delivery.Id,
            AttemptedAt = now - outcome.Duration,
            StatusCode = outcome.StatusCode,
            Error = Shorten(outcome.Error),
            ResponsePrefix = outcome.ResponsePrefix,
            DurationMs = (int)Math.Min(int.MaxValue, outcome.Duration.TotalMilliseconds),
        });
        await db.SaveChangesAsync(cancellationToken);

        var attempts = delivery.AttemptCount + 1;
        var next = outcome.Delivered || outcome.Gone ? null : schedule.NextAttemptAt(delivery.ScheduleStartedAt, attempts, now);
        var status = outcome.Delivered ? WebhookDeliveryStatus.Delivered
            : next is null ? WebhookDeliveryStatus.Dead
            : WebhookDeliveryStatus.Pending;
        DateTime? completedAt = status == WebhookDeliveryStatus.Pending ? null : now;
        var nextAttemptAt = next ?? now;
        // A 410's dead delivery and its disabled subscription commit together: whoever reads the one sees the other.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await OwnedBy(claim).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.AttemptCount, d => d.AttemptCount + 1)
                .SetProperty(d => d.NextAttemptAt, nextAttemptAt)
                .SetProperty(d => d.CompletedAt, completedAt)
                .SetProperty(d => d.ClaimToken, (Guid?)null)
                .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null), cancellationToken);
            if (outcome.Gone && claim.Subscription.Kind == WebhookSubscriptionKind.Endpoint)
            {
                await DisableAsync(claim.Subscription.Id, "The receiver answered 410 Gone.", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        return outcome.Gone ? "gone" : status switch
        {
            WebhookDeliveryStatus.Delivered => "delivered",
            WebhookDeliveryStatus.Pending => "retrying",
            _ => "dead",
        };
    }

    /// <summary>Gives a claim back without an attempt (the process is stopping): another process may send it at once.</summary>
    public Task ReleaseAsync(ClaimedDelivery claim, CancellationToken cancellationToken) =>
        OwnedBy(claim).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.ClaimToken, (Guid?)null)
            .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null), cancellationToken);

    /// <summary>The subscription was deleted or disabled after this delivery was created: it is not sent.</summary>
    public Task CancelAsync(ClaimedDelivery claim, CancellationToken cancellationToken)
    {
        var now = Now;
        return OwnedBy(claim).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, WebhookDeliveryStatus.Cancelled)
            .SetProperty(d => d.CompletedAt, now)
            .SetProperty(d => d.ClaimToken, (Guid?)null)
            .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null), cancellationToken);
    }

    /// <summary>Stops all sending to a subscription: marks it disabled and cancels what it still had pending.</summary>
    public async Task DisableAsync(Guid subscriptionId, string reason, CancellationToken cancellationToken)
    {
        var now = Now;
        await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId && s.DisabledAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.DisabledAt, now).SetProperty(x => x.DisabledReason, reason), cancellationToken);
        await CancelPendingAsync(subscriptionId, cancellationToken);
    }

    public Task CancelPendingAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriptionId && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Cancelled)
                .SetProperty(d => d.CompletedAt, now), cancellationToken);
    }

    /// <summary>A dead delivery goes back to pending with a fresh retry schedule, due now. False when it is not dead.</summary>
    public async Task<bool> ResendDeadAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var now = Now;
        return await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Dead)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Pending)
                .SetProperty(d => d.AttemptCount, 0)   // the backoff starts again from its first wait
                .SetProperty(d => d.ScheduleStartedAt, now)
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.CompletedAt, (DateTime?)null), cancellationToken) == 1;
    }

    private static IQueryable<WebhookDelivery> Due(IQueryable<WebhookDelivery> deliveries, DateTime now) =>
        deliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now
            && (d.ClaimExpiresAt == null || d.ClaimExpiresAt < now));

    private IQueryable<WebhookDelivery> OwnedBy(ClaimedDelivery claim) =>
        db.WebhookDeliveries.Where(d => d.Id == claim.Delivery.Id && d.ClaimToken == claim.ClaimToken);

    private static string? Shorten(string? error) => error is null || error.Length <= 512 ? error : error[..512];

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
