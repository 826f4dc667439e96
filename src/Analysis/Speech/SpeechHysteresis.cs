namespace SpeechEmotion.Analysis.Speech;

/// <summary>
/// Turns the per-window speech probabilities of one stream into regions, exactly as the reference
/// get_speech_timestamps does (snakers4/silero-vad utils_vad.py, without max_speech_duration_s): open on a window at
/// or above the threshold; once open, the first window below the negative threshold marks a possible end, which
/// becomes the end when the audio stays out of speech (no window back at the threshold) for the minimum silence;
/// regions of at most the minimum speech are dropped; survivors are padded on both sides.
/// </summary>
internal sealed class SpeechHysteresis
{
    private readonly float threshold;
    private readonly float negativeThreshold;
    private readonly double minSpeechSamples;
    private readonly double minSilenceSamples;
    private readonly double padSamples;

    private bool triggered;
    private long start;
    private long possibleEnd; // 0 = none, as in the reference (a region never opens and ends in window 0)

    public SpeechHysteresis(SpeechDetectionOptions options)
    {
        threshold = options.Threshold;
        negativeThreshold = options.EffectiveNegativeThreshold;
        minSpeechSamples = SileroVadModel.SampleRate * options.MinSpeechMs / 1000.0;
        minSilenceSamples = SileroVadModel.SampleRate * options.MinSilenceMs / 1000.0;
        padSamples = SileroVadModel.SampleRate * options.SpeechPadMs / 1000.0;
    }

    /// <summary>
    /// The earliest sample a region not yet reported may start at (padding included), given that the next window
    /// starts at <paramref name="nextWindowStart"/>: audio before it can never be part of a future region.
    /// </summary>
    public long EarliestUnreportedSample(long nextWindowStart) =>
        (long)Math.Max(0, (triggered ? start : nextWindowStart) - padSamples);

    /// <summary>Where the region still open started (padding included), or null while no one is open.</summary>
    public long? OpenRegionStart => triggered ? (long)Math.Max(0, start - padSamples) : null;

    /// <summary>Feeds the probability of the window starting at <paramref name="windowStart"/>; returns a region when one closes.</summary>
    public SpeechRegion? Next(float probability, long windowStart)
    {
        if (probability >= threshold && possibleEnd != 0)
        {
            possibleEnd = 0;
        }

        if (probability >= threshold && !triggered)
        {
            triggered = true;
            start = windowStart;
            return null;
        }

        if (probability >= negativeThreshold || !triggered)
        {
            return null;
        }

        if (possibleEnd == 0)
        {
            possibleEnd = windowStart;
        }

        if (windowStart - possibleEnd < minSilenceSamples)
        {
            return null;
        }

        var end = possibleEnd;
        triggered = false;
        possibleEnd = 0;
        // The options keep 2 × pad ≤ min silence, so padding never reaches into the next region: the reference's
        // sharing of a short gap between neighbours never happens and the region is final now.
        return end - start > minSpeechSamples ? Padded(start, end, long.MaxValue) : null;
    }

    /// <summary>The stream ended after <paramref name="totalSamples"/>: a region still open ends there.</summary>
    public SpeechRegion? Finish(long totalSamples)
    {
        if (!triggered)
        {
            return null;
        }

        triggered = false;
        possibleEnd = 0;
        return totalSamples - start > minSpeechSamples ? Padded(start, totalSamples, totalSamples) : null;
    }

    private SpeechRegion Padded(long regionStart, long regionEnd, long streamEnd) =>
        new((long)Math.Max(0, regionStart - padSamples), (long)Math.Min(streamEnd, regionEnd + padSamples));
}
