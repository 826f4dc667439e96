using SpeechEmotion.Persistence.Tenancy;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Api.Live;

/// <summary>
/// <c>?record=true</c>: the stream's recording becomes a job exactly as an uploaded call does. This is the one place
/// where the live path touches the job lifecycle: the finished WAV goes through <see cref="JobSubmitter"/> (and so
/// <c>JobLifecycle.CreateAsync</c>: stored as a recording with a job row, published, analysed by a worker with channels=split and the track names as channel names), so
/// GET /jobs/{id}, the timeline and the callbackUrl behave as for an upload.
/// </summary>
internal sealed class LiveRecorder(IOptions<UploadOptions> uploads, IServiceScopeFactory scopes, ILogger logger, string? callbackUrl, Guid tenantId)
{
    public const string FileName = "live.wav";

    /// <summary>A new recording in the upload folder (its suffix lets a restarted Api delete it if this one is killed).</summary>
    public LiveRecording Open(LiveAudioFormat format) =>
        new(Path.Combine(uploads.Value.EffectiveTemporaryDirectory, $"{Guid.NewGuid():N}{AbandonedUploadCleanup.Suffix}"), format);

    public bool IsFull(LiveRecording recording) => recording.SizeBytes >= uploads.Value.MaxBytes;

    /// <summary>Stores the recording as a job; returns its id, or the code of why it could not be stored.</summary>
    public async Task<(Guid? JobId, string? Error)> StoreAsync(LiveRecording recording, LiveStart start)
    {
        var jobId = Guid.CreateVersion7();
        try
        {
            var (file, sha256) = await recording.FinishAsync(CancellationToken.None);
            var metadata = JsonSerializer.Serialize(new { source = "live", streamSid = start.StreamSid, callSid = start.CallSid });
            var recorded = new Recording
            {
                Id = Guid.CreateVersion7(),
                FileName = FileName,
                ContentType = "audio/wav",
                SizeBytes = file.Length,
                Sha256 = sha256,
            };
            var upload = new ReceivedUpload(file, recorded, callbackUrl, metadata, new AnalysisRequest(ChannelHandling.Split, start.Tracks));
            await using var scope = scopes.CreateAsyncScope();
            // The stream ends after its request's scope: the job is stored for the tenant whose key opened it.
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Restrict(tenantId);
            await scope.ServiceProvider.GetRequiredService<JobSubmitter>().SubmitAsync(jobId, upload, CancellationToken.None);
            return (jobId, null);
        }
        catch (ApiProblemException refused)
        {
            logger.LogWarning("Live stream {StreamSid}: recording not stored ({Code})", start.StreamSid, refused.Code);
            return (null, refused.Code);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            logger.LogError(exception, "Live stream {StreamSid}: recording not stored", start.StreamSid);
            return (null, ErrorCodes.InternalError);
        }
    }
}
