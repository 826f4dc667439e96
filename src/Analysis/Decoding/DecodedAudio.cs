namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// An upload decoded to what the model eats (16 kHz mono float32 in [-1, 1]), plus the facts of the original.
/// </summary>
internal sealed record DecodedAudio(float[] Samples, int OriginalSampleRate, int OriginalChannels)
{
    public const int SampleRate = 16000;

    /// <summary>Resampling keeps duration, so the decoded length is the original duration.</summary>
    public double DurationSeconds => Samples.Length / (double)SampleRate;

    public AudioInfo ToAudioInfo() => new(DurationSeconds, OriginalSampleRate, OriginalChannels);
}
