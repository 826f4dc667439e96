using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Validation;

/// <summary>The configured MinDuration / MaxDuration, checked wherever a duration first becomes known.</summary>
internal sealed class DurationLimits(AnalysisOptions options)
{
    public void RejectIfTooLong(double durationSeconds)
    {
        if (durationSeconds > options.MaxDuration.TotalSeconds)
        {
            throw new AudioRejectedException(ErrorCodes.TooLong,
                $"The recording is longer than the {options.MaxDuration.TotalSeconds:0.##} s allowed.");
        }
    }

    public void RejectIfTooShort(double durationSeconds)
    {
        if (durationSeconds < options.MinDuration.TotalSeconds)
        {
            throw new AudioRejectedException(ErrorCodes.TooShort,
                $"The recording is shorter than the {options.MinDuration.TotalSeconds:0.##} s needed.");
        }
    }
}
