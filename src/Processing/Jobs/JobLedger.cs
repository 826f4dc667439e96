using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Jobs;

/// <summary>A job this worker now owns: only the holder of <see cref="ClaimToken"/> may write its outcome.</summary>
public sealed record ClaimedJob(Guid JobId, Guid ClaimToken, string FileName, int Attempts, AnalysisRequest Request);

/// <summary>
/// Every status change after a job is created goes through here, each as one conditional UPDATE, so that
/// concurrent workers, duplicate messages and the recovery sweep can never both win: a job is claimed by one
/// worker at a time and its outcome is written once.
/// </summary>
public sealed class JobLedger(JobsDbContext db, IOptions<ProcessingOptions> options, TimeProvider time, IPublishEndpoint publisher,
    ILogger<JobLedger> logger)
{
    private readonly ProcessingOptions _options = options.Value;

    /// <summary>
    /// Claims the job for a new delivery of its message: when it is queued, or processing under an expired lease,
    /// or processing under this same token (the broker redelivered this very message after its worker died).
    /// Each such claim is an attempt; none is granted once MaxAttempts are used. Returns null when someone else
    /// owns the job, it is finished, unknown, or out of attempts.
    /// </summary>
    public async Task<ClaimedJob?> TryClaimAsync(Guid jobId, Guid claimToken, CancellationToken cancellationToken)
    {
        var now = Now;
        var claimed = await db.Jobs
            .Where(j => j.Id == jobId && j.Attempts < _options.MaxAttempts)
            .Where(j => j.Status == JobStatus.Queued
                || (j.Status == JobStatus.Processing && (j.LeaseExpiresAt < now || j.ClaimToken == claimToken)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Processing)
                .SetProperty(j => j.ClaimToken, claimToken)
                .SetProperty(j => j.LeaseExpiresAt, now + _options.LeaseDuration)
                .SetProperty(j => j.WorkerName, WorkerIdentity.Name)
                .SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1), cancellationToken);
        return claimed == 0 ? null : await ClaimedAs(jobId, claimToken, cancellationToken);
    }

    /// <summary>
    /// Takes the claim back for an in-process retry of the same delivery (after a transient failure): renews the
    /// lease without counting another attempt, as long as nobody else took the job meanwhile.
    /// </summary>
    public async Task<ClaimedJob?> TryReclaimForRetryAsync(Guid jobId, Guid claimToken, CancellationToken cancellationToken)
    {
        var now = Now;
        var reclaimed = await db.Jobs
            .Where(j => j.Id == jobId && j.Status == JobStatus.Processing && j.ClaimToken == claimToken)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, now + _options.LeaseDuration), cancellationToken);
        return reclaimed == 0 ? null : await ClaimedAs(jobId, claimToken, cancellationToken);
    }

    /// <summary>
    /// Extends the lease of a job this claim still owns (a long call under analysis); false when the claim was lost,
    /// and the analysis should stop: another worker owns the job now, or it was handed back.
    /// </summary>
    public async Task<bool> RenewLeaseAsync(ClaimedJob claim, CancellationToken cancellationToken)
    {
        var now = Now;
        var renewed = await OwnedBy(claim)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, now + _options.LeaseDuration), cancellationToken);
        return renewed == 1;
    }

    private async Task<ClaimedJob> ClaimedAs(Guid jobId, Guid claimToken, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId)
            .Select(j => new { j.FileName, j.Attempts, j.ChannelHandling, j.ChannelNames })
            .SingleAsync(cancellationToken);
        return new ClaimedJob(jobId, claimToken, job.FileName, job.Attempts, new AnalysisRequest(job.ChannelHandling, job.ChannelNames));
    }

    /// <summary>Writes the result if this claim still owns the job; false when the claim was lost (lease expired and someone else took over).</summary>
    public async Task<bool> RecordSuccessAsync(ClaimedJob claim, EmotionResult result, CancellationToken cancellationToken)
    {
        var now = Now;
        var written = await OwnedBy(claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Succeeded)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.Result, result), cancellationToken);
        if (written == 1)
        {
            await PublishFinished(claim.JobId, succeeded: true, errorCode: null, now);
        }
        return written == 1;
    }

    /// <summary>Fails the job if this claim still owns it.</summary>
    public async Task<bool> RecordFailureAsync(ClaimedJob claim, string errorCode, string errorMessage, CancellationToken cancellationToken)
    {
        var written = await SetFailed(OwnedBy(claim), errorCode, errorMessage, cancellationToken);
        if (written == 1)
        {
            await PublishFinished(claim.JobId, succeeded: false, errorCode, Now);
        }
        return written == 1;
    }

    /// <summary>Hands a claimed job back to the queue (graceful shutdown mid-job); the recovery sweep publishes it again.</summary>
    public async Task<bool> ReleaseAsync(ClaimedJob claim, CancellationToken cancellationToken)
    {
        var released = await OwnedBy(claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.ClaimToken, (Guid?)null)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellationToken);
        return released == 1;
    }

    /// <summary>
    /// Fails the job whoever holds it, unless it is already finished. For the paths where no claim exists any more:
    /// a faulted message after its last retry, or a job out of attempts.
    /// </summary>
    public async Task<bool> FailUnfinishedAsync(Guid jobId, string errorCode, string errorMessage, CancellationToken cancellationToken)
    {
        var unfinished = db.Jobs.Where(j => j.Id == jobId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing));
        if (await SetFailed(unfinished, errorCode, errorMessage, cancellationToken) != 1)
        {
            return false;
        }
        await PublishFinished(jobId, succeeded: false, errorCode, Now);
        return true;
    }

    /// <summary>
    /// Minimal JobFinished publication (webhooks listen to it) until the job lifecycle publishes it in one place with
    /// the sweep as its safety net. A failed publish is logged, never fails the outcome already written.
    /// </summary>
    private async Task PublishFinished(Guid jobId, bool succeeded, string? errorCode, DateTime finishedAt)
    {
        try
        {
            await publisher.Publish(new JobFinished { JobId = jobId, Succeeded = succeeded, ErrorCode = errorCode, FinishedAt = finishedAt });
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Job {JobId} finished but JobFinished could not be published", jobId);
        }
    }

    public Task<Job?> FindAsync(Guid jobId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);

    private IQueryable<Job> OwnedBy(ClaimedJob claim) =>
        db.Jobs.Where(j => j.Id == claim.JobId && j.Status == JobStatus.Processing && j.ClaimToken == claim.ClaimToken);

    private Task<int> SetFailed(IQueryable<Job> jobs, string errorCode, string errorMessage, CancellationToken cancellationToken)
    {
        var now = Now;
        return jobs.ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Failed)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.ErrorCode, errorCode)
            .SetProperty(j => j.ErrorMessage, errorMessage), cancellationToken);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
