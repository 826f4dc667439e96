using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Validation;

/// <summary>
/// The sample values the model may see: finite, and no further from zero than <see cref="MaxMagnitude"/>. Float WAV
/// (read in managed code, or passed through ffmpeg unchanged) can carry NaN, infinities or absurd values; one of them
/// turns the graph's output into NaN (measured: any sample of 1e19 or more, or any NaN/Inf) or drowns the recording.
/// Such a file is damaged, not speech, so it is refused as corrupt_audio: never retried, never classified.
/// </summary>
internal static class SampleRange
{
    /// <summary>
    /// +36 dBFS. Float recordings may overshoot full scale (1.0) a little (mixes without a limiter, resampler
    /// overshoot); 64 times full scale is no recording, and still 17 orders of magnitude below where the graph overflows.
    /// </summary>
    public const float MaxMagnitude = 64f;

    public const string RejectionDetail = "The audio holds sample values that are not numbers or far beyond full scale.";

    /// <exception cref="AudioRejectedException">corrupt_audio when any sample is NaN, infinite or beyond ±MaxMagnitude.</exception>
    public static void RejectIfOutOfRange(ReadOnlySpan<float> samples)
    {
        foreach (var sample in samples)
        {
            // Written so that NaN (every comparison false) fails it too.
            if (!(Math.Abs(sample) <= MaxMagnitude))
            {
                throw new AudioRejectedException(ErrorCodes.CorruptAudio, RejectionDetail);
            }
        }
    }
}
