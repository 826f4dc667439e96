using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Options;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Processing.Recovery;

/// <summary>What one sweep did.</summary>
public sealed record SweepOutcome(int RepublishedQueued, int RequeuedExpired, int FailedOutOfAttempts, int DeletedOrphanRecordings = 0,
    int RepublishedFinished = 0, int SealedAbandonedBatches = 0);

/// <summary>
/// The safety net, in one place. There is no transactional outbox, so a job can be left behind: its message lost
/// between the database write and the publish, its worker killed mid-job, or its end never announced. One sweep
/// finds such jobs and hands each to <see cref="JobLifecycle"/>, which takes it with a conditional update first, so
/// several workers sweeping at once act on it once:
/// <list type="bullet">
/// <item>"processing" past its lease with attempts left → back to "queued" and re-published;</item>
/// <item>"processing" past its lease with no attempts left → failed with processing_failed (JobFinished published);</item>
/// <item>"queued" with its message unconfirmed for QueuedRepublishAfter, or confirmed into an earlier process's in-memory queue → re-published;</item>
/// <item>finished over FinishedRepublishAfter ago without its JobFinished confirmed published → JobFinished published;</item>
/// <item>a recording older than OrphanRecordingAge with no job row (an Api killed mid-upload) → deleted;</item>
/// <item>a batch left unsealed with no member added for BatchIntakeAbandonedAfter (an Api killed mid-intake) → sealed,
/// marked interrupted, through <see cref="BatchLifecycle"/> (the same conditional-update rule).</item>
/// </list>
/// The sweep's scope acts for all tenants (its <c>CurrentTenant</c> is never restricted).
/// </summary>
public sealed class StuckJobRecovery(
    JobsDbContext db,
    JobLifecycle lifecycle,
    BatchLifecycle batches,
    RecordingStore recordings,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    SpeechEmotionMetrics metrics,
    ILogger<StuckJobRecovery> logger)
{
    private const int BatchSize = 100;
    private readonly ProcessingOptions _options = options.Value;

    public async Task<SweepOutcome> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var (requeued, failed) = await SettleExpired(cancellationToken);
        var republished = await RepublishStuckQueued(cancellationToken);
        var announced = await AnnounceUnannounced(cancellationToken);
        var orphans = await DeleteOrphanRecordings(cancellationToken);
        var sealedBatches = await SealAbandonedIntakes(cancellationToken);
        return new SweepOutcome(republished, requeued, failed, orphans, announced, sealedBatches);
    }

    private async Task<(int Requeued, int Failed)> SettleExpired(CancellationToken cancellationToken)
    {
        var (requeued, failed) = (0, 0);
        foreach (var jobId in await lifecycle.FindExpiredAsync(BatchSize, cancellationToken))
        {
            switch (await lifecycle.SettleExpiredAsync(jobId, cancellationToken))
            {
                case ExpiredOutcome.Requeued:
                    logger.LogWarning("Job {JobId} was processing past its lease; re-published", jobId);
                    requeued++;
                    break;
                case ExpiredOutcome.Failed:
                    logger.LogError("Job {JobId} was processing past its lease and used all {MaxAttempts} attempts; failed",
                        jobId, _options.MaxAttempts);
                    metrics.JobFailed(ErrorCodes.ProcessingFailed);
                    failed++;
                    break;
            }
        }
        return (requeued, failed);
    }

    /// <summary>
    /// Page after page until none is left: after an embedded restart the whole backlog of the stopped process is
    /// lost at once, and a page per sweep would take an hour to publish 10,000 jobs again. A job published here is
    /// marked confirmed by this process, so the next page never finds it again.
    /// </summary>
    private async Task<int> RepublishStuckQueued(CancellationToken cancellationToken)
    {
        var republished = 0;
        List<Guid> page;
        do
        {
            page = await lifecycle.FindStuckQueuedAsync(BatchSize, cancellationToken);
            var republishedOfPage = 0;
            foreach (var jobId in page)
            {
                if (await lifecycle.RepublishQueuedAsync(jobId, cancellationToken))
                {
                    logger.LogWarning("Job {JobId} was queued with its message lost (unconfirmed for {After}, or in an earlier process's in-memory queue); re-published",
                    jobId, _options.QueuedRepublishAfter);
                    republishedOfPage++;
                }
            }
            republished += republishedOfPage;
            if (republishedOfPage == 0)
            {
                break;   // another sweeper took this page: it goes on with the rest
            }
        }
        while (page.Count == BatchSize);
        return republished;
    }

    private async Task<int> AnnounceUnannounced(CancellationToken cancellationToken)
    {
        var announced = 0;
        foreach (var jobId in await lifecycle.FindUnannouncedAsync(BatchSize, cancellationToken))
        {
            if (await lifecycle.RepublishFinishedAsync(jobId, cancellationToken))
            {
                logger.LogWarning("Job {JobId} finished without its JobFinished confirmed published; published now", jobId);
                announced++;
            }
        }
        return announced;
    }

    private async Task<int> DeleteOrphanRecordings(CancellationToken cancellationToken)
    {
        var deleted = await recordings.DeleteOrphansAsync(db, Now - _options.OrphanRecordingAge, cancellationToken);
        if (deleted > 0)
        {
            logger.LogWarning("Recovery sweep deleted {Count} recordings that no job points at", deleted);
        }
        return deleted;
    }

    private async Task<int> SealAbandonedIntakes(CancellationToken cancellationToken)
    {
        var sealedBatches = 0;
        foreach (var batchId in await batches.FindAbandonedIntakesAsync(BatchSize, cancellationToken))
        {
            sealedBatches += await batches.SealAbandonedAsync(batchId, cancellationToken) ? 1 : 0;
        }
        return sealedBatches;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
