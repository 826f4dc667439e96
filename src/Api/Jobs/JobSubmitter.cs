using MassTransit;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Logging;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Jobs;
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
    public async Task<Job> SubmitAsync(Guid jobId, ReceivedUpload upload, CancellationToken cancellationToken)
    {
        EnsureBrokerReachable();
        var job = NewJob(jobId, upload);
        var recording = upload.Recording;
        await lifecycle.CreateAsync(recording, job, upload.Content, cancellationToken);
        metrics.JobAccepted();
        logger.LogInformation("Job {JobId} queued: recording {RecordingId}, {FileName}, {SizeBytes} bytes, sha256 {Sha256}",
            jobId, recording.Id, LogText.Encode(recording.FileName), recording.SizeBytes, recording.Sha256);
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
