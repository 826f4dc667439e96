using MassTransit;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Logging;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Api.Jobs;

/// <summary>
/// Turns an accepted upload into a job through <see cref="JobLifecycle.CreateAsync"/> (recording and row together,
/// then the message). The broker is checked first: when it is unreachable the upload is refused at once with 503
/// service_unavailable (and Retry-After), instead of waiting on a publish that cannot happen.
/// </summary>
public sealed class JobSubmitter(
    JobLifecycle lifecycle,
    IBusControl bus,
    TimeProvider time,
    SpeechEmotionMetrics metrics,
    ILogger<JobSubmitter> logger)
{
    /// <param name="batchId">The batch the job belongs to, if any (its message then goes to the batch queue).</param>
    public async Task<Job> SubmitAsync(Guid jobId, ReceivedUpload upload, CancellationToken cancellationToken, Guid? batchId = null)
    {
        EnsureBrokerReachable();
        var job = NewJob(jobId, upload);
        var recording = upload.Recording;
        await lifecycle.CreateAsync(recording, job, upload.Content, cancellationToken, batchId);
        metrics.JobAccepted();
        logger.LogInformation("Job {JobId} queued: recording {RecordingId}, {FileName}, {SizeBytes} bytes, sha256 {Sha256}",
            jobId, recording.Id, LogText.Encode(recording.FileName), recording.SizeBytes, recording.Sha256);
        return job;
    }

    /// <summary>
    /// A batch member refused before it was stored (not audio, too large, unreadable in its archive): a job failed from
    /// the start with the refusal's code, so the batch accounts for every member. Its bytes are not kept.
    /// </summary>
    public async Task RecordRejectedAsync(Guid batchId, Recording recording, string? metadataJson, string errorCode, string errorMessage,
        CancellationToken cancellationToken)
    {
        var job = new Job { Id = Guid.CreateVersion7(), CreatedAt = time.GetUtcNow().UtcDateTime, MetadataJson = metadataJson };
        await lifecycle.CreateRejectedAsync(recording, job, batchId, errorCode, errorMessage, cancellationToken);
        metrics.JobFailed(errorCode);
        logger.LogInformation("Job {JobId} of batch {BatchId} refused: {ErrorCode}", job.Id, batchId, errorCode);
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

    private Job NewJob(Guid jobId, ReceivedUpload upload) => new()
    {
        Id = jobId,
        Status = JobStatus.Queued,
        CreatedAt = time.GetUtcNow().UtcDateTime,
        RecordingId = upload.Recording.Id,
        CallbackUrl = upload.CallbackUrl,
        MetadataJson = upload.MetadataJson,
        ChannelHandling = upload.Request.Channels,
        ChannelNames = [.. upload.Request.ChannelNames],
    };
}
