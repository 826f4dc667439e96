using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Options;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Processing.Recovery;

/// <summary>What one sweep did.</summary>
public sealed record SweepOutcome(int RepublishedQueued, int RequeuedExpired, int FailedOutOfAttempts, int DeletedOrphanRecordings = 0);

/// <summary>
/// There is no transactional outbox, so a job can be left behind: its message lost between the database write
/// and the publish, or its worker killed mid-job. One sweep finds such jobs and publishes them again:
/// <list type="bullet">
/// <item>"processing" past its lease with attempts left → back to "queued" (the dead worker's claim is void) and re-published;</item>
/// <item>"processing" past its lease with no attempts left → failed with processing_failed;</item>
/// <item>"queued" longer than QueuedRepublishAfter since its last publish → re-published;</item>
/// <item>a recording older than OrphanRecordingAge with no job row (an Api killed mid-upload) → deleted.</item>
/// </list>
/// Each job is taken with a conditional update first, so several workers sweeping at once publish it once.
/// </summary>
public sealed class StuckJobRecovery(
    JobsDbContext db,
    RecordingStore recordings,
    AnalysisQueues queues,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    SpeechEmotionMetrics metrics,
    ILogger<StuckJobRecovery> logger)
{
    private const int BatchSize = 100;
    private readonly ProcessingOptions _options = options.Value;

    public async Task<SweepOutcome> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var failed = await FailExpiredOutOfAttempts(cancellationToken);
        var requeued = await RequeueExpired(cancellationToken);
        var republished = await RepublishStuckQueued(cancellationToken);
        var orphans = await DeleteOrphanRecordings(cancellationToken);
        return new SweepOutcome(republished, requeued, failed, orphans);
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

    private async Task<int> FailExpiredOutOfAttempts(CancellationToken cancellationToken)
    {
        var now = Now;
        var failed = await db.Jobs
            .Where(j => j.Status == JobStatus.Processing && j.LeaseExpiresAt < now && j.Attempts >= _options.MaxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Failed)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.ErrorCode, ErrorCodes.ProcessingFailed)
                .SetProperty(j => j.ErrorMessage, "The recording could not be processed; every attempt stopped before finishing."),
                cancellationToken);
        if (failed > 0)
        {
            metrics.JobsFailed(ErrorCodes.ProcessingFailed, failed);
            logger.LogError("Recovery sweep failed {Count} jobs that used all {MaxAttempts} attempts", failed, _options.MaxAttempts);
        }
        return failed;
    }

    private async Task<int> RequeueExpired(CancellationToken cancellationToken)
    {
        var now = Now;
        var expired = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Processing && j.LeaseExpiresAt < now)
            .OrderBy(j => j.LeaseExpiresAt)
            .Select(j => j.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        var requeued = 0;
        foreach (var jobId in expired)
        {
            var taken = await db.Jobs
                .Where(j => j.Id == jobId && j.Status == JobStatus.Processing && j.LeaseExpiresAt < now)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Queued)
                    .SetProperty(j => j.ClaimToken, (Guid?)null)
                    .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                    .SetProperty(j => j.LastPublishedAt, now), cancellationToken);
            if (taken == 0)
            {
                continue;
            }
            logger.LogWarning("Job {JobId} was processing past its lease; re-published", jobId);
            await Publish(jobId, cancellationToken);
            requeued++;
        }
        return requeued;
    }

    private async Task<int> RepublishStuckQueued(CancellationToken cancellationToken)
    {
        var now = Now;
        var cutoff = now - _options.QueuedRepublishAfter;
        var stuck = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && j.LastPublishedAt < cutoff)
            .OrderBy(j => j.LastPublishedAt)
            .Select(j => j.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        var republished = 0;
        foreach (var jobId in stuck)
        {
            var taken = await db.Jobs
                .Where(j => j.Id == jobId && j.Status == JobStatus.Queued && j.LastPublishedAt < cutoff)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LastPublishedAt, now), cancellationToken);
            if (taken == 0)
            {
                continue;
            }
            logger.LogWarning("Job {JobId} was queued since before {Cutoff:O}; re-published", jobId, cutoff);
            await Publish(jobId, cancellationToken);
            republished++;
        }
        return republished;
    }

    /// <summary>Back to the queue it came from: a job of a running batch to the batch queue, any other to the live one.</summary>
    private Task Publish(Guid jobId, CancellationToken cancellationToken) => queues.RepublishAsync(jobId, cancellationToken);

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
