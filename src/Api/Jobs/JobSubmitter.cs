using MassTransit;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Api.Jobs;

/// <summary>
/// Turns an accepted upload into a job: recording first, then the job row, then the message.
/// In that order nothing can point at audio that is not there, and a publish that fails (bus down) leaves a
/// "queued" job that the recovery sweep publishes again; so the caller still gets 202.
/// </summary>
public sealed class JobSubmitter(
    JobsDbContext db,
    RecordingStore recordings,
    IPublishEndpoint publisher,
    TimeProvider time,
    ILogger<JobSubmitter> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public async Task<Job> SubmitAsync(Guid jobId, ReceivedUpload upload, CancellationToken cancellationToken)
    {
        await recordings.SaveAsync(jobId, upload.Content,
            new RecordingDescription(upload.FileName, upload.ContentType, upload.SizeBytes, upload.Sha256), cancellationToken);

        var now = time.GetUtcNow().UtcDateTime;
        var job = new Job
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
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Job {JobId} queued: {FileName}, {SizeBytes} bytes, sha256 {Sha256}", jobId, job.FileName, job.SizeBytes, job.Sha256);

        await PublishOrLeaveToSweep(jobId);
        return job;
    }

    private async Task PublishOrLeaveToSweep(Guid jobId)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await publisher.Publish(new AnalyzeRecording { JobId = jobId }, timeout.Token);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Job {JobId} saved but not published; the recovery sweep will publish it", jobId);
        }
    }
}
