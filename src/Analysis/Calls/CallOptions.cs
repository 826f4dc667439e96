namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// How speech regions become classified windows and segments, bound from "Analysis:Calls". The defaults come from
/// `Bench windows` (README, "Long calls"): accuracy against window length on concatenated held-out clips.
/// </summary>
public sealed class CallOptions
{
    public const string SectionName = "Analysis:Calls";

    /// <summary>Length of one window inside a long speech region; a region up to this long is one window.</summary>
    public double WindowSeconds { get; set; } = 4;

    /// <summary>Step between windows inside a long region (windows overlap by WindowSeconds − HopSeconds).</summary>
    public double HopSeconds { get; set; } = 2;

    /// <summary>Windows of equal length classified in one Run of the model.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Neighbouring stretches with the same emotion merge into one segment across a pause up to this long.</summary>
    public double MergeGapSeconds { get; set; } = 0.3;

    /// <summary>
    /// Most audio kept per channel while a region is still open (bounds memory on a recording that never stops
    /// "speaking", e.g. music the detector takes for speech); a longer region is classified over its last part.
    /// </summary>
    public double MaxRegionSeconds { get; set; } = 300;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (WindowSeconds < 0.5)
        {
            problems.Add($"WindowSeconds must be at least 0.5 (got {WindowSeconds}).");
        }
        if (HopSeconds <= 0 || HopSeconds > WindowSeconds)
        {
            problems.Add($"HopSeconds must lie in (0, WindowSeconds] (got {HopSeconds}).");
        }
        if (BatchSize < 1)
        {
            problems.Add($"BatchSize must be at least 1 (got {BatchSize}).");
        }
        if (MergeGapSeconds < 0)
        {
            problems.Add($"MergeGapSeconds cannot be negative (got {MergeGapSeconds}).");
        }
        if (MaxRegionSeconds < WindowSeconds)
        {
            problems.Add($"MaxRegionSeconds must be at least WindowSeconds (got {MaxRegionSeconds}).");
        }
        return problems;
    }
}
