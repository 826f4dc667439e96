namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// One stretch [<see cref="Start"/>, <see cref="End"/>) of a speech region (16 kHz samples) that the model classifies.
/// Windows of a long region overlap; each owns [<see cref="OwnStart"/>, <see cref="OwnEnd"/>): its part up to the
/// middle of each overlap, so the owned parts tile the region exactly and every second of speech counts once.
/// </summary>
internal readonly record struct AnalysisWindow(long Start, long End, long OwnStart, long OwnEnd)
{
    public int Length => (int)(End - Start);

    /// <summary>
    /// The windows of the region [<paramref name="regionStart"/>, <paramref name="regionEnd"/>): one window when the
    /// region is at most <paramref name="window"/> long, else windows of that length every <paramref name="hop"/>
    /// samples, the last one ending at the region's end (so no speech is left out and all windows share one length,
    /// which lets them share a batch).
    /// </summary>
    public static List<AnalysisWindow> Plan(long regionStart, long regionEnd, int window, int hop)
    {
        if (regionEnd - regionStart <= window)
        {
            return [new AnalysisWindow(regionStart, regionEnd, regionStart, regionEnd)];
        }

        var starts = new List<long>();
        for (var start = regionStart; start + window < regionEnd; start += hop)
        {
            starts.Add(start);
        }
        starts.Add(regionEnd - window);

        var windows = new List<AnalysisWindow>(starts.Count);
        for (var i = 0; i < starts.Count; i++)
        {
            var ownStart = i == 0 ? regionStart : (starts[i] + starts[i - 1] + window) / 2;
            var ownEnd = i == starts.Count - 1 ? regionEnd : (starts[i + 1] + starts[i] + window) / 2;
            windows.Add(new AnalysisWindow(starts[i], starts[i] + window, ownStart, ownEnd));
        }
        return windows;
    }
}

/// <summary>A window with the model's seven probabilities.</summary>
internal readonly record struct ClassifiedWindow(AnalysisWindow Window, float[] Probabilities);
