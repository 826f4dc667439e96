namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// Settings of voice activity detection, bound from "Analysis:Speech". The defaults are Silero's own
/// (snakers4/silero-vad, get_speech_timestamps).
/// </summary>
public sealed class SpeechDetectionOptions
{
    public const string SectionName = "Analysis:Speech";

    /// <summary>The Silero VAD model; a relative path is resolved against the application's base directory.</summary>
    public string ModelPath { get; set; } = "models/silero-vad.onnx";

    /// <summary>A 32 ms window whose speech probability is at least this opens a region.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>
    /// Once open, a region only starts to close on a window below this (hysteresis). Unset: Threshold − 0.15, at least
    /// 0.01, as the reference.
    /// </summary>
    public float? NegativeThreshold { get; set; }

    /// <summary>Regions of this length or shorter (before padding) are dropped: clicks, coughs, a door.</summary>
    public int MinSpeechMs { get; set; } = 250;

    /// <summary>A region closes after this much audio below the negative threshold; shorter pauses stay inside.</summary>
    public int MinSilenceMs { get; set; } = 100;

    /// <summary>Each region is widened by this much on both sides (the detector's windows lag the audio).</summary>
    public int SpeechPadMs { get; set; } = 30;

    internal float EffectiveNegativeThreshold => NegativeThreshold ?? Math.Max(Threshold - 0.15f, 0.01f);

    internal string ResolveModelPath() =>
        Path.IsPathRooted(ModelPath) ? ModelPath : Path.Combine(AppContext.BaseDirectory, ModelPath);

    /// <summary>What is wrong with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            problems.Add("ModelPath is empty.");
        }

        if (Threshold is <= 0 or >= 1)
        {
            problems.Add($"Threshold must lie strictly between 0 and 1 (got {Threshold}).");
        }

        if (EffectiveNegativeThreshold <= 0 || EffectiveNegativeThreshold > Threshold)
        {
            problems.Add($"NegativeThreshold must lie in (0, Threshold] (got {EffectiveNegativeThreshold}).");
        }

        if (MinSpeechMs < 0 || MinSilenceMs < 0 || SpeechPadMs < 0)
        {
            problems.Add("MinSpeechMs, MinSilenceMs and SpeechPadMs cannot be negative.");
        }

        // The reference splits the gap between two regions closer than two pads; a pause of at least MinSilenceMs
        // separates any two regions, so with this rule a region is final the moment it closes, as streaming needs.
        if (2 * SpeechPadMs > MinSilenceMs)
        {
            problems.Add($"SpeechPadMs ({SpeechPadMs}) may be at most half of MinSilenceMs ({MinSilenceMs}).");
        }

        return problems;
    }
}
