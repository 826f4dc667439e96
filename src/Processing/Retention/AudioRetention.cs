using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Processing.Retention;

/// <summary>
/// One pass of Retention:AudioDays: audio older than that is deleted through <see cref="JobLifecycle.DiscardAudioAsync"/>
/// (facts and results stay; <c>GET /jobs/{id}</c> then says <c>"audio": "deleted"</c>). Audio of a job queued or
/// running is left for the next pass.
/// </summary>
public sealed class AudioRetention(JobLifecycle lifecycle, IOptions<RetentionOptions> options, TimeProvider time, ILogger<AudioRetention> logger)
{
    private const int BatchSize = 100;

    /// <summary>Deletes the audio past its age, a batch at a time, until none is left; returns how many were deleted.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AudioDays is not { } days)
        {
            return 0;
        }
        var cutoff = time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(days);
        var deleted = 0;
        while (true)
        {
            var due = await lifecycle.FindAudioCreatedBeforeAsync(cutoff, BatchSize, cancellationToken);
            foreach (var recordingId in due)
            {
                deleted += await lifecycle.DiscardAudioAsync(recordingId, cancellationToken) ? 1 : 0;
            }
            if (due.Count < BatchSize)
            {
                break;
            }
        }
        if (deleted > 0)
        {
            logger.LogInformation("Retention deleted the audio of {Count} recordings older than {Days} days", deleted, days);
        }
        return deleted;
    }
}
