using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// A recording decoded whole to what the model eats (16 kHz mono float32 in [-1, 1]), plus the facts of the original.
/// </summary>
public sealed record DecodedAudio(float[] Samples, int OriginalSampleRate, int OriginalChannels)
{
    public const int SampleRate = 16000;

    /// <summary>Resampling keeps duration, so the decoded length is the original duration.</summary>
    public double DurationSeconds => Samples.Length / (double)SampleRate;

    /// <summary>The original's facts, as a result reports them.</summary>
    public AudioFacts Facts => new(Math.Round(DurationSeconds, 3), OriginalSampleRate, OriginalChannels);
}
