namespace SpeechEmotion.Analysis;

/// <summary>What the analyzer says about one recording.</summary>
/// <param name="Emotion">The most probable label.</param>
/// <param name="Probabilities">All seven labels with their probability (they sum to 1).</param>
/// <param name="ModelVersion">The model's <c>model_version</c> metadata, so a result can be traced to its model.</param>
/// <param name="Audio">The upload as it came in, before resampling and trimming.</param>
public sealed record EmotionAnalysis(
    string Emotion,
    IReadOnlyDictionary<string, float> Probabilities,
    string ModelVersion,
    AudioInfo Audio)
{
    /// <summary>How long the model itself ran (no decoding or preprocessing); the job pipeline records it as a metric.</summary>
    public TimeSpan InferenceDuration { get; init; }
}

/// <summary>The original upload: its duration, sample rate and channel count.</summary>
public sealed record AudioInfo(double DurationSeconds, int SampleRate, int Channels);
