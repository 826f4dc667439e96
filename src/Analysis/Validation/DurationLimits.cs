using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Validation;

/// <summary>The configured MinDuration, checked once a decoded duration is known (too long is the reader's: it stops decoding there).</summary>
internal sealed class DurationLimits(AnalysisOptions options)
{
    public void RejectIfTooShort(double durationSeconds)
    {
        if (durationSeconds < options.MinDuration.TotalSeconds)
        {
            throw new AudioRejectedException(ErrorCodes.TooShort,
                $"The recording is shorter than the {options.MinDuration.TotalSeconds:0.##} s needed.");
        }
    }
}
