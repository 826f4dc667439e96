using System.Linq.Expressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Results;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Options;
using SpeechEmotion.Processing.Recovery;

namespace SpeechEmotion.Processing.Jobs;

/// <summary>A job this worker now owns: only the holder of <see cref="ClaimToken"/> may write its outcome.</summary>
public sealed record ClaimedJob(Guid JobId, Guid ClaimToken, Guid RecordingId, string FileName, int Attempts, AnalysisRequest Request);

/// <summary>One successful analysis of a job, as served: the model that made it, when, and what it said.</summary>
public sealed record AnalysisOutcome(string ModelVersion, DateTime CreatedAt, EmotionResult Result);

/// <summary>A job as the Api shows it: the row, its recording's facts and its newest result (null before the first success).</summary>
public sealed record JobSnapshot(Job Job, Recording Recording, AnalysisOutcome? Newest)
{
    /// <summary>The newest result when the job's latest run succeeded (what POST /emotion answers).</summary>
    public EmotionResult? SucceededResult => Job.Status == JobStatus.Succeeded ? Newest?.Result : null;
}

/// <summary>
/// The one home of a job's lifecycle: every status change goes through here (create, claim, reclaim, renew,
/// succeed, fail, release, requeue for reprocessing, delete, the recovery sweep's requeue, republish and fail, and
/// the audio's removal by retention or rejection), each as one conditional UPDATE,
/// so that concurrent workers, duplicate messages and the sweep can never both win. It also owns the result's
/// JSON: <see cref="RecordSuccessAsync"/> is its one writer (appending a <see cref="JobResult"/> row per success,
/// so reprocessing keeps the history) and <see cref="FindAsync"/> / <see cref="ListResultsAsync"/> its readers.
/// <para>
/// Wherever a job ends, <see cref="JobFinished"/> is published, and only when the conditional update actually
/// changed the row, so a duplicate message or a second sweeper never announces a job twice. There is no
/// transactional outbox: a process that dies between the UPDATE and the publish leaves the job finished with
/// <see cref="Job.FinishedPublishedAt"/> null, and the recovery sweep publishes it
/// (<see cref="RepublishFinishedAsync"/>) once <c>Processing:FinishedRepublishAfter</c> has passed. Listeners read
/// the job row for details, so the rare duplicate (a sweep racing a slow publish) is harmless.
/// </para>
/// </summary>
public sealed class JobLifecycle(
    JobsDbContext db,
    RecordingStore recordings,
    IPublishEndpoint publisher,
    AnalysisQueues queues,
    QueuedMessageDurability queue,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<JobLifecycle> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private readonly ProcessingOptions _options = options.Value;

    // ---- create ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Stores a new recording (its audio and its facts) and a job to analyse it ("queued") together, then publishes
    /// the job's AnalyzeRecording message.
    /// <list type="bullet">
    /// <item>Audio and rows commit together (PostgreSQL), or the audio file is deleted again when the rows fail
    /// (SQLite, folder store), so no audio is left without its recording. The rows are written through the
    /// execution strategy, so a database restart is retried rather than answered with an error.</item>
    /// <item>A publish that fails after that (the broker went away in between) leaves a "queued" job that the
    /// recovery sweep publishes again.</item>
    /// </list>
    /// </summary>
    /// <param name="batchId">The batch the job belongs to, if any: its membership is written with the job, and its
    /// message goes to the batch queue (<see cref="AnalysisQueues"/>).</param>
    public async Task CreateAsync(Recording recording, Job job, Stream content, CancellationToken cancellationToken, Guid? batchId = null)
    {
        job.Status = JobStatus.Queued;
        job.RecordingId = recording.Id;
        recording.CreatedAt = job.CreatedAt;
        job.LastPublishedAt = job.CreatedAt;
        try
        {
            await StoreRecordingAndJob(recording, job, content, batchId, cancellationToken);
        }
        catch
        {
            await DeleteAudioQuietly(recording.Id);
            throw;
        }
        await PublishAnalysisOrLeaveToSweep(job.Id);
    }

    private Task StoreRecordingAndJob(Recording recording, Job job, Stream content, Guid? batchId, CancellationToken cancellationToken) =>
        // Each retry starts over: the tracked entities of the failed try are dropped and the audio is read again.
        // verifySucceeded: a commit whose answer was lost is not written twice.
        db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                content.Position = 0;
                await recordings.SaveAsync(recording.Id, content, ct);
                db.Recordings.Add(recording);
                db.Jobs.Add(job);
                if (batchId is { } batch)
                {
                    db.BatchMembers.Add(new BatchMember { BatchId = batch, JobId = job.Id });
                }
                await db.SaveChangesAsync(ct);
            },
            ct => db.Jobs.AsNoTracking().AnyAsync(j => j.Id == job.Id, ct),
            cancellationToken);

    /// <summary>
    /// A batch member refused before its audio was stored (not audio, empty, too large, unreadable in its archive):
    /// its recording's facts (no audio: <see cref="Recording.AudioDeletedAt"/> set) and a job failed from the start
    /// with the refusal's code, in the batch, announced like any job that ends.
    /// </summary>
    public async Task CreateRejectedAsync(Recording recording, Job job, Guid batchId, string errorCode, string errorMessage,
        CancellationToken cancellationToken)
    {
        var now = Now;
        recording.CreatedAt = job.CreatedAt;
        recording.AudioDeletedAt = now;
        job.RecordingId = recording.Id;
        job.Status = JobStatus.Failed;
        job.CompletedAt = now;
        job.LastPublishedAt = job.CreatedAt;
        job.ErrorCode = errorCode;
        job.ErrorMessage = errorMessage;
        await db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                db.Recordings.Add(recording);
                db.Jobs.Add(job);
                db.BatchMembers.Add(new BatchMember { BatchId = batchId, JobId = job.Id });
                await db.SaveChangesAsync(ct);
            },
            ct => db.Jobs.AsNoTracking().AnyAsync(j => j.Id == job.Id, ct),
            cancellationToken);
        db.ChangeTracker.Clear();
        await AnnounceFinished(new JobFinished { JobId = job.Id, Succeeded = false, ErrorCode = errorCode, FinishedAt = now }, cancellationToken);
    }

    /// <summary>Compensation for the folder store, whose file is not part of the database transaction.</summary>
    private async Task DeleteAudioQuietly(Guid recordingId)
    {
        try
        {
            await recordings.DeleteAsync(recordingId, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The recovery sweep deletes audio without a recording later (Processing:OrphanRecordingAge).
            logger.LogWarning(exception, "Recording {RecordingId} was not stored and its audio could not be deleted now", recordingId);
        }
    }

    // ---- worker side -----------------------------------------------------------------------------------------

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
            .Select(j => new { j.RecordingId, j.Recording!.FileName, j.Attempts, j.ChannelHandling, j.ChannelNames })
            .SingleAsync(cancellationToken);
        return new ClaimedJob(jobId, claimToken, job.RecordingId, job.FileName, job.Attempts,
            new AnalysisRequest(job.ChannelHandling, job.ChannelNames));
    }

    /// <summary>
    /// Marks the job succeeded and appends its result, if this claim still owns the job, and announces it; false when
    /// the claim was lost (lease expired and someone else took over). The one writer of the result's JSON.
    /// </summary>
    public async Task<bool> RecordSuccessAsync(ClaimedJob claim, EmotionResult result, CancellationToken cancellationToken)
    {
        var now = Now;
        var json = result.ToJson();
        // The status change and the appended row commit together: no result without its success, and the reverse.
        var written = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var changed = await OwnedBy(claim).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Succeeded)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), cancellationToken);
            if (changed == 0)
            {
                return false;
            }
            db.JobResults.Add(new JobResult { JobId = claim.JobId, ModelVersion = result.ModelVersion, ResultJson = json, CreatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!written)
        {
            return false;
        }
        await AnnounceFinished(new JobFinished { JobId = claim.JobId, Succeeded = true, FinishedAt = now }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Fails the job if this claim still owns it, and announces it. Audio rejected as invalid (one of
    /// <see cref="ErrorCodes.AudioProblems"/>) is not kept: it is removed with the same commit that fails the job,
    /// so nobody sees the failed job with its audio still stored.
    /// </summary>
    public Task<bool> RecordFailureAsync(ClaimedJob claim, string errorCode, string errorMessage, CancellationToken cancellationToken) =>
        Fail(OwnedBy(claim), claim.JobId, errorCode, errorMessage, cancellationToken,
            discardAudioOf: ErrorCodes.AudioProblems.Contains(errorCode) ? claim.RecordingId : null);

    /// <summary>
    /// Hands a claimed job back to the queue (graceful shutdown mid-job); the recovery sweep publishes it again. Its
    /// message was consumed, so no confirmed publish is waiting in any queue: the mark is cleared for the sweep.
    /// </summary>
    public async Task<bool> ReleaseAsync(ClaimedJob claim, CancellationToken cancellationToken)
    {
        var released = await OwnedBy(claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.ClaimToken, (Guid?)null)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.AnalysisPublishedAt, (DateTime?)null), cancellationToken);
        return released == 1;
    }

    /// <summary>
    /// Fails the job whoever holds it, unless it is already finished, and announces it. For the paths where no
    /// claim exists any more: a faulted message after its last retry, or a job out of attempts.
    /// </summary>
    public Task<bool> FailUnfinishedAsync(Guid jobId, string errorCode, string errorMessage, CancellationToken cancellationToken) =>
        Fail(Unfinished(jobId), jobId, errorCode, errorMessage, cancellationToken);

    /// <summary>Fails the job only while it is still queued (a cancelled batch's job that no worker took yet), and announces it.</summary>
    public Task<bool> FailQueuedAsync(Guid jobId, string errorCode, string errorMessage, CancellationToken cancellationToken) =>
        Fail(db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Queued), jobId, errorCode, errorMessage, cancellationToken);

    // ---- recovery sweep --------------------------------------------------------------------------------------

    /// <summary>Jobs "processing" past their lease, oldest first: their worker died or hangs.</summary>
    public Task<List<Guid>> FindExpiredAsync(int limit, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Processing && j.LeaseExpiresAt < now)
            .OrderBy(j => j.LeaseExpiresAt)
            .Select(j => j.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// An expired job with no attempts left is failed (processing_failed); one with attempts left goes back to
    /// "queued" (the dead worker's claim is void) and is published again.
    /// </summary>
    public async Task<ExpiredOutcome> SettleExpiredAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var now = Now;
        var expired = db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Processing && j.LeaseExpiresAt < now);
        if (await Fail(expired.Where(j => j.Attempts >= _options.MaxAttempts), jobId, ErrorCodes.ProcessingFailed,
                "The recording could not be processed; every attempt stopped before finishing.", cancellationToken))
        {
            return ExpiredOutcome.Failed;
        }
        var requeued = await expired.Where(j => j.Attempts < _options.MaxAttempts).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.ClaimToken, (Guid?)null)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.LastPublishedAt, now)
            .SetProperty(j => j.AnalysisPublishedAt, (DateTime?)null), cancellationToken);
        if (requeued == 0)
        {
            return ExpiredOutcome.Untouched;   // renewed, finished or taken by another sweeper meanwhile
        }
        await PublishAnalysis(jobId, cancellationToken);
        return ExpiredOutcome.Requeued;
    }

    /// <summary>Queued jobs whose message was lost (<see cref="MessageLost"/>), longest waiting first.</summary>
    public Task<List<Guid>> FindStuckQueuedAsync(int limit, CancellationToken cancellationToken)
    {
        return db.Jobs.AsNoTracking()
            .Where(MessageLost(Now))
            .OrderBy(j => j.LastPublishedAt)
            .Select(j => j.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Queued jobs whose message no queue holds: never confirmed and not published again for QueuedRepublishAfter, or
    /// confirmed into an in-memory queue that died with an earlier process (at once: nothing can deliver it any more,
    /// so a restarted embedded service resumes its queue without waiting).
    /// </summary>
    private Expression<Func<Job, bool>> MessageLost(DateTime now)
    {
        var cutoff = now - _options.QueuedRepublishAfter;
        var lostBefore = queue.LostBefore;
        return j => j.Status == JobStatus.Queued
            && ((j.AnalysisPublishedAt == null && j.LastPublishedAt < cutoff) || j.AnalysisPublishedAt < lostBefore);
    }

    /// <summary>Publishes a stuck queued job again; false when another sweeper did it first or it moved on.</summary>
    public async Task<bool> RepublishQueuedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var now = Now;
        var taken = await db.Jobs
            .Where(j => j.Id == jobId)
            .Where(MessageLost(now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.LastPublishedAt, now)
                .SetProperty(j => j.AnalysisPublishedAt, (DateTime?)null), cancellationToken);
        if (taken == 0)
        {
            return false;
        }
        await PublishAnalysis(jobId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Finished jobs whose <see cref="JobFinished"/> was not confirmed published (the process died between the
    /// UPDATE and the publish, or the broker was away) and that ended over Processing:FinishedRepublishAfter ago.
    /// </summary>
    public Task<List<Guid>> FindUnannouncedAsync(int limit, CancellationToken cancellationToken)
    {
        var cutoff = Now - _options.FinishedRepublishAfter;
        return db.Jobs.AsNoTracking()
            .Where(j => j.FinishedPublishedAt == null && j.CompletedAt < cutoff)
            .Where(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed)
            .OrderBy(j => j.CompletedAt)
            .Select(j => j.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes JobFinished for a finished job that was never confirmed announced. The mark is taken first (a
    /// conditional update, so two sweepers do not both publish) and given back if the publish fails.
    /// </summary>
    public async Task<bool> RepublishFinishedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var now = Now;
        var taken = await db.Jobs
            .Where(j => j.Id == jobId && j.FinishedPublishedAt == null)
            .Where(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.FinishedPublishedAt, now), cancellationToken);
        if (taken == 0)
        {
            return false;
        }
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, cancellationToken);
        try
        {
            await publisher.Publish(FinishedEventOf(job), cancellationToken);
            return true;
        }
        catch
        {
            await db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.FinishedPublishedAt, (DateTime?)null),
                CancellationToken.None);
            throw;
        }
    }

    // ---- reprocessing --------------------------------------------------------------------------------------

    /// <summary>
    /// Runs a finished job again (the current model on the same recording): back to "queued" with fresh attempts,
    /// its error cleared and its message published; a success appends a new result and keeps the older ones.
    /// Returns false when the job is unknown, not finished (queued or running already), or its audio is gone
    /// (deleted by retention or rejected as invalid).
    /// </summary>
    public async Task<bool> RequeueForReprocessingAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var now = Now;
        var requeued = await db.Jobs
            .Where(j => j.Id == jobId && (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed))
            .Where(j => j.Recording!.AudioDeletedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.Attempts, 0)
                .SetProperty(j => j.ClaimToken, (Guid?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.StartedAt, (DateTime?)null)
                .SetProperty(j => j.CompletedAt, (DateTime?)null)
                .SetProperty(j => j.ErrorCode, (string?)null)
                .SetProperty(j => j.ErrorMessage, (string?)null)
                .SetProperty(j => j.FinishedPublishedAt, (DateTime?)null)
                .SetProperty(j => j.LastPublishedAt, now)
                .SetProperty(j => j.AnalysisPublishedAt, (DateTime?)null), cancellationToken);
        if (requeued == 0)
        {
            return false;
        }
        await PublishAnalysisOrLeaveToSweep(jobId);
        return true;
    }

    // ---- deletion and retention ------------------------------------------------------------------------------

    /// <summary>
    /// Deletes a job, every result it had, its recording's facts (unless another job still points at the recording)
    /// and the audio. The rows go in one transaction; the audio after it (a failure there leaves audio without a
    /// recording, which the recovery sweep removes after Processing:OrphanRecordingAge). False when there is no such
    /// job. A worker still analysing it loses its claim and its result is discarded.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var recordingId = await db.Jobs.Where(j => j.Id == jobId).Select(j => (Guid?)j.RecordingId).SingleOrDefaultAsync(cancellationToken);
        if (recordingId is not { } recording)
        {
            return false;
        }
        var recordingGone = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.JobResults.Where(r => r.JobId == jobId).ExecuteDeleteAsync(cancellationToken);
            // Webhook deliveries carry the job's JSON (its result and metadata): they go with it, sent or not.
            await db.WebhookAttempts.Where(a => db.WebhookDeliveries.Any(d => d.Id == a.DeliveryId && d.JobId == jobId)).ExecuteDeleteAsync(cancellationToken);
            await db.WebhookDeliveries.Where(d => d.JobId == jobId).ExecuteDeleteAsync(cancellationToken);
            await db.Jobs.Where(j => j.Id == jobId).ExecuteDeleteAsync(cancellationToken);
            var gone = await db.Recordings.Where(r => r.Id == recording && !db.Jobs.Any(j => j.RecordingId == recording))
                .ExecuteDeleteAsync(cancellationToken) == 1;
            await transaction.CommitAsync(cancellationToken);
            return gone;
        });
        if (recordingGone)
        {
            await DeleteAudioQuietly(recording);
        }
        return true;
    }

    /// <summary>
    /// Removes a recording's audio and marks it gone (<see cref="Recording.AudioDeletedAt"/>); its facts and every
    /// result stay. The mark comes first: audio whose recording says "deleted" is removed by the orphan sweep even
    /// if this process dies before the bytes go. False when it was already gone.
    /// </summary>
    public async Task<bool> DiscardAudioAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        if (await MarkAudioDeleted(recordingId, Now, cancellationToken) == 0)
        {
            return false;
        }
        await recordings.DeleteAsync(recordingId, cancellationToken);
        return true;
    }

    /// <summary>
    /// Recordings whose audio is older than <paramref name="createdBefore"/> and still stored, oldest first, none
    /// of them with a job queued or running (its audio is about to be read).
    /// </summary>
    public Task<List<Guid>> FindAudioCreatedBeforeAsync(DateTime createdBefore, int limit, CancellationToken cancellationToken) =>
        db.Recordings.AsNoTracking()
            .Where(r => r.AudioDeletedAt == null && r.CreatedAt < createdBefore)
            .Where(r => !db.Jobs.Any(j => j.RecordingId == r.Id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing)))
            .OrderBy(r => r.CreatedAt)
            .Select(r => r.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);

    // ---- reading ---------------------------------------------------------------------------------------------

    /// <summary>The job row alone (no recording, no result), or null.</summary>
    public Task<Job?> FindRowAsync(Guid jobId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);

    /// <summary>The job with its recording's facts and its newest result, or null when there is no such job.</summary>
    public async Task<JobSnapshot?> FindAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().Include(j => j.Recording).SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null)
        {
            return null;
        }
        var newest = await NewestFirst(jobId).FirstOrDefaultAsync(cancellationToken);
        return new JobSnapshot(job, job.Recording!, newest is null ? null : OutcomeOf(newest));
    }

    /// <summary>Every result the job ever had, newest first; empty for an unknown job or one that never succeeded.</summary>
    public async Task<IReadOnlyList<AnalysisOutcome>> ListResultsAsync(Guid jobId, CancellationToken cancellationToken) =>
        (await NewestFirst(jobId).ToListAsync(cancellationToken)).Select(OutcomeOf).ToList();

    private IQueryable<JobResult> NewestFirst(Guid jobId) =>
        db.JobResults.AsNoTracking().Where(r => r.JobId == jobId).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id);

    /// <summary>The one reader of the result's JSON.</summary>
    private static AnalysisOutcome OutcomeOf(JobResult row) => new(row.ModelVersion, row.CreatedAt, EmotionResult.FromJson(row.ResultJson));

    // ---- shared steps ----------------------------------------------------------------------------------------

    private IQueryable<Job> OwnedBy(ClaimedJob claim) =>
        db.Jobs.Where(j => j.Id == claim.JobId && j.Status == JobStatus.Processing && j.ClaimToken == claim.ClaimToken);

    private IQueryable<Job> Unfinished(Guid jobId) =>
        db.Jobs.Where(j => j.Id == jobId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing));

    /// <param name="discardAudioOf">A recording whose audio goes with the failure (rejected as invalid audio).</param>
    private async Task<bool> Fail(IQueryable<Job> jobs, Guid jobId, string errorCode, string errorMessage, CancellationToken cancellationToken,
        Guid? discardAudioOf = null)
    {
        var now = Now;
        var failed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var written = await jobs.ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Failed)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.ErrorCode, errorCode)
                .SetProperty(j => j.ErrorMessage, errorMessage), cancellationToken);
            if (written == 0)
            {
                return false;
            }
            if (discardAudioOf is { } recordingId)
            {
                // The database store deletes in this transaction; a file is deleted just before the commit (a
                // failed commit then leaves a job whose retry finds no audio and fails processing_failed).
                await MarkAudioDeleted(recordingId, now, cancellationToken);
                await recordings.DeleteAsync(recordingId, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!failed)
        {
            return false;
        }
        await AnnounceFinished(new JobFinished { JobId = jobId, Succeeded = false, ErrorCode = errorCode, FinishedAt = now }, cancellationToken);
        return true;
    }

    private Task<int> MarkAudioDeleted(Guid recordingId, DateTime now, CancellationToken cancellationToken) =>
        db.Recordings.Where(r => r.Id == recordingId && r.AudioDeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.AudioDeletedAt, now), cancellationToken);

    /// <summary>
    /// Publishes JobFinished, then marks the row announced. A failed publish is logged and left to the sweep: the
    /// job's outcome is already written, and failing the caller now would only retry work that is done.
    /// </summary>
    private async Task AnnounceFinished(JobFinished finished, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            await publisher.Publish(finished, timeout.Token);
            await db.Jobs.Where(j => j.Id == finished.JobId)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.FinishedPublishedAt, Now), CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Job {JobId} finished but JobFinished was not confirmed published; the recovery sweep will publish it",
                finished.JobId);
        }
    }

    private static JobFinished FinishedEventOf(Job job) => new()
    {
        JobId = job.Id,
        Succeeded = job.Status == JobStatus.Succeeded,
        ErrorCode = job.Status == JobStatus.Failed ? job.ErrorCode : null,
        FinishedAt = job.CompletedAt ?? job.CreatedAt,
    };

    private async Task PublishAnalysisOrLeaveToSweep(Guid jobId)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await PublishAnalysis(jobId, timeout.Token);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Job {JobId} saved but not published; the recovery sweep will publish it", jobId);
        }
    }

    /// <summary>
    /// Publishes the job's message and, once the transport confirmed it (RabbitMQ acknowledges a publish only when
    /// the message is queued), marks it so: from then on only a lost queue (the in-memory bus of an earlier process)
    /// makes the sweep publish it again.
    /// </summary>
    private async Task PublishAnalysis(Guid jobId, CancellationToken cancellationToken)
    {
        await queues.PublishAsync(jobId, cancellationToken);   // the live queue, or the batch queue for a job of a running batch
        var now = Now;
        await db.Jobs.Where(j => j.Id == jobId)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.AnalysisPublishedAt, now), CancellationToken.None);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}

/// <summary>What the sweep did with one job found past its lease.</summary>
public enum ExpiredOutcome
{
    Untouched,
    Requeued,
    Failed,
}
