using MassTransit;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Logging;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Api.Jobs;

/// <summary>
/// Turns an accepted upload into a job: the recording and the job row in one transaction, then the message.
/// <list type="bullet">
/// <item>The broker is checked first: when it is unreachable the upload is refused at once with 503
/// service_unavailable (and Retry-After), instead of waiting on a publish that cannot happen.</item>
/// <item>Recording and job row commit together (PostgreSQL), or the recording file is deleted again when the job
/// row fails (SQLite, folder store), so no recording is ever left without its job. The pair is written through
/// the execution strategy, so a database restart is retried rather than answered with an error.</item>
/// <item>A publish that fails after that (the broker went away in between) leaves a "queued" job that the
/// recovery sweep publishes again; the caller still gets 202.</item>
/// <item>A job of a batch is written with its batch membership and goes to the batch queue (<see cref="AnalysisQueues"/>).</item>
/// </list>
/// </summary>
public sealed class JobSubmitter(
    JobsDbContext db,
    RecordingStore recordings,
    IBusControl bus,
    AnalysisQueues queues,
    TimeProvider time,
    SpeechEmotionMetrics metrics,
    ILogger<JobSubmitter> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    /// <param name="batchId">The batch the job belongs to, if any.</param>
    public async Task<Job> SubmitAsync(Guid jobId, ReceivedUpload upload, CancellationToken cancellationToken, Guid? batchId = null)
    {
        EnsureBrokerReachable();
        var job = NewJob(jobId, upload);
        try
        {
            await StoreRecordingAndJob(job, upload, batchId, cancellationToken);
        }
        catch
        {
            await DeleteRecordingQuietly(jobId);
            throw;
        }
        metrics.JobAccepted();
        logger.LogInformation("Job {JobId} queued: {FileName}, {SizeBytes} bytes, sha256 {Sha256}",
            jobId, LogText.Encode(job.FileName), job.SizeBytes, job.Sha256);

        await PublishOrLeaveToSweep(jobId, batchId);
        return job;
    }

    /// <summary>
    /// A batch member refused before it was stored (not audio, too large, unreadable in its archive): a job that is
    /// failed from the start with the refusal's code, so the batch accounts for every member. Its bytes are not kept.
    /// </summary>
    public async Task<Job> RecordRejectedAsync(Guid jobId, Guid batchId, RejectedMember member, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var job = new Job
        {
            Id = jobId,
            Status = JobStatus.Failed,
            CreatedAt = now,
            CompletedAt = now,
            LastPublishedAt = now,
            FileName = member.FileName,
            ContentType = "application/octet-stream",
            SizeBytes = member.SizeBytes,
            Sha256 = member.Sha256,
            MetadataJson = member.MetadataJson,
            ErrorCode = member.ErrorCode,
            ErrorMessage = member.ErrorMessage,
        };
        db.Jobs.Add(job);
        db.BatchMembers.Add(new BatchMember { BatchId = batchId, JobId = jobId });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        metrics.JobFailed(member.ErrorCode);
        logger.LogInformation("Job {JobId} of batch {BatchId} refused: {ErrorCode}", jobId, batchId, member.ErrorCode);
        await bus.Publish(new JobFinished { JobId = jobId, Succeeded = false, ErrorCode = member.ErrorCode, FinishedAt = now }, cancellationToken);
        return job;
    }

    private void EnsureBrokerReachable()
    {
        var health = bus.CheckHealth();
        if (health.Status != BusHealthStatus.Healthy)
        {
            logger.LogWarning("Upload refused: the bus is {Status} ({Description})", health.Status, health.Description);
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                "The message broker is unreachable; the upload was not stored. Try again shortly.");
        }
    }

    private Job NewJob(Guid jobId, ReceivedUpload upload)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new Job
        {
            Id = jobId,
            Status = JobStatus.Queued,
            CreatedAt = now,
            LastPublishedAt = now,
            FileName = upload.FileName,
            ContentType = upload.ContentType,
            SizeBytes = upload.SizeBytes,
            Sha256 = upload.Sha256,
            CallbackUrl = upload.CallbackUrl,
            MetadataJson = upload.MetadataJson,
            ChannelHandling = upload.Request.Channels,
            ChannelNames = [.. upload.Request.ChannelNames],
        };
    }

    private Task StoreRecordingAndJob(Job job, ReceivedUpload upload, Guid? batchId, CancellationToken cancellationToken) =>
        // Each retry starts over: the tracked entities of the failed try are dropped and the audio is read again.
        // verifySucceeded: a commit whose answer was lost is not written twice.
        db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                upload.Content.Position = 0;
                await recordings.SaveAsync(job.Id, upload.Content,
                    new RecordingDescription(upload.FileName, upload.ContentType, upload.SizeBytes, upload.Sha256), ct);
                db.Jobs.Add(job);
                if (batchId is { } batch)
                {
                    db.BatchMembers.Add(new BatchMember { BatchId = batch, JobId = job.Id });
                }
                await db.SaveChangesAsync(ct);
            },
            ct => db.Jobs.AsNoTracking().AnyAsync(j => j.Id == job.Id, ct),
            cancellationToken);

    /// <summary>Compensation for the folder store, whose file is not part of the database transaction.</summary>
    private async Task DeleteRecordingQuietly(Guid jobId)
    {
        try
        {
            await recordings.DeleteAsync(jobId, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The recovery sweep deletes recordings without a job later (Processing:OrphanRecordingAge).
            logger.LogWarning(exception, "Job {JobId} was not stored and its recording could not be deleted now", jobId);
        }
    }

    private async Task PublishOrLeaveToSweep(Guid jobId, Guid? batchId)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            if (batchId is null)
            {
                await queues.PublishLiveAsync(jobId, timeout.Token);
            }
            else
            {
                await queues.SendToBatchQueueAsync([jobId], timeout.Token);
            }
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Job {JobId} saved but not published; the recovery sweep will publish it", jobId);
        }
    }
}

/// <summary>What is known of a batch member that was refused before being stored.</summary>
public sealed record RejectedMember(string FileName, long SizeBytes, string Sha256, string? MetadataJson, string ErrorCode, string ErrorMessage);
