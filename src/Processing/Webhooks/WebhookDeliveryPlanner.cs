using SpeechEmotion.Processing.Batches;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// Turns an event into delivery rows: one per active subscription that asked for its type, plus one to the job's
/// own <c>callbackUrl</c> (signed with its tenant's JobCallbacks secret). The body is written once, here, so every attempt
/// sends the same bytes. Each row's EventKey is unique per subscription, so a duplicate event adds nothing.
/// </summary>
public sealed class WebhookDeliveryPlanner(JobsDbContext db, JobLifecycle jobs, WebhookDispatchSignal signal, TimeProvider time)
{
    private sealed record Target(Guid SubscriptionId, string Url);

    /// <returns>How many deliveries were added.</returns>
    public async Task<int> PlanJobFinishedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var snapshot = await jobs.FindAsync(jobId, cancellationToken);
        if (snapshot is not { Job.IsFinished: true })
        {
            return 0;   // the row is the truth: an event for a job not (or no longer) finished sends nothing
        }
        var job = snapshot.Job;
        var type = job.Status == JobStatus.Succeeded ? WebhookEvents.JobSucceeded : WebhookEvents.JobFailed;
        var finishedAt = job.CompletedAt ?? Now;
        var body = new WebhookEnvelope(type, finishedAt, JobViews.Describe(snapshot, withSegments: false)).ToJson();

        var targets = await EndpointsFor(type, job.TenantId, cancellationToken);
        if (job.CallbackUrl is { } callbackUrl)
        {
            var callbacks = await JobCallbacksSubscription.EnsureAsync(db, job.TenantId, Now, cancellationToken);
            targets.Add(new Target(callbacks.Subscription.Id, callbackUrl));
        }
        var eventKey = $"{type}:{job.Id}:{finishedAt.Ticks}";
        return await AddAsync(targets, type, eventKey, body, job.Id, batchId: null, cancellationToken);
    }

    public async Task<int> PlanBatchCompletedAsync(BatchCompleted completed, CancellationToken cancellationToken)
    {
        var data = await BatchViews.DescribeAsync(completed.BatchId, db, cancellationToken);
        var body = new WebhookEnvelope(WebhookEvents.BatchCompleted, completed.CompletedAt, data).ToJson();
        var tenantId = await db.Batches.Where(b => b.Id == completed.BatchId).Select(b => b.TenantId).SingleAsync(cancellationToken);
        var targets = await EndpointsFor(WebhookEvents.BatchCompleted, tenantId, cancellationToken);
        var eventKey = $"{WebhookEvents.BatchCompleted}:{completed.BatchId}";
        return await AddAsync(targets, WebhookEvents.BatchCompleted, eventKey, body, jobId: null, completed.BatchId, cancellationToken);
    }

    /// <summary>The tenant's own active endpoints for the event: a tenant never hears another tenant's jobs or batches.</summary>
    private async Task<List<Target>> EndpointsFor(string eventType, Guid tenantId, CancellationToken cancellationToken)
    {
        var active = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.TenantId == tenantId)
            .Where(s => s.Kind == WebhookSubscriptionKind.Endpoint && s.DisabledAt == null && s.DeletedAt == null)
            .ToListAsync(cancellationToken);
        return active.Where(s => s.Events.Contains(eventType)).Select(s => new Target(s.Id, s.Url!)).ToList();
    }

    private async Task<int> AddAsync(List<Target> targets, string eventType, string eventKey, string body, Guid? jobId, Guid? batchId,
        CancellationToken cancellationToken)
    {
        if (targets.Count == 0)
        {
            return 0;
        }
        var existing = await db.WebhookDeliveries.Where(d => d.EventKey == eventKey).Select(d => d.SubscriptionId).ToListAsync(cancellationToken);
        var now = Now;
        var added = targets.Where(t => !existing.Contains(t.SubscriptionId)).Select(t => new WebhookDelivery
        {
            Id = Guid.CreateVersion7(),
            SubscriptionId = t.SubscriptionId,
            EventType = eventType,
            EventKey = eventKey,
            JobId = jobId,
            BatchId = batchId,
            Url = t.Url,
            Payload = body,
            Status = WebhookDeliveryStatus.Pending,
            CreatedAt = now,
            ScheduleStartedAt = now,
            NextAttemptAt = now,
        }).ToList();
        if (added.Count == 0)
        {
            return 0;
        }
        db.WebhookDeliveries.AddRange(added);
        // A duplicate event handled at the same moment elsewhere hits the unique (subscription, event) index: the
        // consumer's retry then finds those rows and adds nothing.
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return added.Count;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
