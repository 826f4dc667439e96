namespace SpeechEmotion.Analysis.Preprocessing;

/// <summary>Shapes the trimmed waveform into what the graph accepts: at least 8000 samples (0.5 s).</summary>
internal static class ModelInput
{
    public const int MinSamples = 8000;

    /// <summary>
    /// Returns the waveform itself when long enough (no copy), otherwise a copy centred in 8000 zeros. Only a short
    /// sound inside a longer recording gets here (too_short already refused recordings under MinDuration).
    /// </summary>
    public static ArraySegment<float> CenterPad(ArraySegment<float> waveform)
    {
        if (waveform.Count >= MinSamples)
        {
            return waveform;
        }

        var padded = new float[MinSamples];
        waveform.AsSpan().CopyTo(padded.AsSpan((MinSamples - waveform.Count) / 2));
        return padded;
    }
}
