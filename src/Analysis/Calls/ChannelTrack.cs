using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// One channel of a call as it streams past: the speech detector finds regions, the audio of a region is kept only
/// until the region closes, then cut into windows for the <see cref="WindowBatcher"/>. Memory is bounded by the
/// longest region (at most <see cref="CallOptions.MaxRegionSeconds"/>), never by the call.
/// </summary>
internal sealed class ChannelTrack
{
    private readonly SpeechStream speech;
    private readonly WindowBatcher batcher;
    private readonly int window;
    private readonly int hop;
    private readonly long maxRetained;

    // Audio kept for regions not yet reported: samples [retainedStart, retainedStart + retainedCount) of the channel,
    // stored from retainedOffset in the buffer.
    private float[] retained = new float[16000 * 8];
    private int retainedOffset;
    private int retainedCount;
    private long retainedStart;

    // The first seconds of the channel, kept while the recording may still be a short clip (see ClipSamples).
    private readonly int clipLimit;
    private float[]? clip = [];
    private int clipCount;

    public ChannelTrack(SpeechStream speech, WindowBatcher batcher, CallOptions options, int clipLimit)
    {
        this.clipLimit = clipLimit;
        this.speech = speech;
        this.batcher = batcher;
        window = SecondsToSamples(options.WindowSeconds);
        hop = SecondsToSamples(options.HopSeconds);
        maxRetained = SecondsToSamples(options.MaxRegionSeconds);
    }

    /// <summary>The speech regions found so far, in order.</summary>
    public List<SpeechRegion> Regions { get; } = [];

    public IReadOnlyList<ClassifiedWindow> Windows => batcher.Classified;

    public TimeSpan InferenceTime => batcher.InferenceTime;

    /// <summary>
    /// The whole channel when it lasted at most the clip limit (Analysis:MaxDuration), else null: what the energy
    /// rule looks at when the detector found no speech in a short clip.
    /// </summary>
    public ArraySegment<float>? ClipSamples => clip is null ? (ArraySegment<float>?)null : new ArraySegment<float>(clip, 0, clipCount);

    public void Push(ReadOnlySpan<float> samples)
    {
        KeepClip(samples);
        Retain(samples);
        foreach (var region in speech.Push(samples))
        {
            Cut(region);
        }
        Forget(Math.Max(speech.EarliestUnreportedSample, speech.SamplesFed - maxRetained));
    }

    /// <summary>The channel ended: closes the last region and classifies every window still waiting.</summary>
    public void Complete()
    {
        foreach (var region in speech.Complete())
        {
            Cut(region);
        }
        batcher.Flush();
        retained = [];
        retainedCount = 0;
    }

    /// <summary>Classifies [start, end) of <see cref="ClipSamples"/> as one stretch of speech (the short-clip fallback).</summary>
    public void AddClipSpeech(long start, long end)
    {
        Regions.Add(new SpeechRegion(start, end));
        var whole = new AnalysisWindow(start, end, start, end);
        batcher.Add(whole, clip.AsSpan((int)start, (int)(end - start)));
        batcher.Flush();
    }

    private void KeepClip(ReadOnlySpan<float> samples)
    {
        if (clip is null)
        {
            return;
        }
        if (clipCount + samples.Length > clipLimit)
        {
            clip = null;   // a call, not a clip: the detector alone decides
            return;
        }
        if (clipCount + samples.Length > clip.Length)
        {
            Array.Resize(ref clip, Math.Min(clipLimit, Math.Max(clipCount + samples.Length, clip.Length * 2)));
        }
        samples.CopyTo(clip.AsSpan(clipCount));
        clipCount += samples.Length;
    }

    private void Cut(SpeechRegion region)
    {
        Regions.Add(region);
        // A region longer than MaxRegionSeconds lost its beginning to the memory bound: classify what is kept.
        var start = Math.Max(region.StartSample, retainedStart);
        var end = Math.Min(region.EndSample, retainedStart + retainedCount);
        if (end <= start)
        {
            return;
        }
        foreach (var piece in AnalysisWindow.Plan(start, end, window, hop))
        {
            batcher.Add(piece, retained.AsSpan(retainedOffset + (int)(piece.Start - retainedStart), piece.Length));
        }
    }

    private void Retain(ReadOnlySpan<float> samples)
    {
        if (retainedOffset + retainedCount + samples.Length > retained.Length)
        {
            // Move the kept audio to the front; grow only when it really does not fit.
            var needed = retainedCount + samples.Length;
            var target = needed > retained.Length ? new float[Math.Max(needed, retained.Length * 2)] : retained;
            Array.Copy(retained, retainedOffset, target, 0, retainedCount);
            retained = target;
            retainedOffset = 0;
        }
        samples.CopyTo(retained.AsSpan(retainedOffset + retainedCount));
        retainedCount += samples.Length;
    }

    /// <summary>Drops the audio before <paramref name="sample"/>: no region still to come can reach back there.</summary>
    private void Forget(long sample)
    {
        var drop = (int)Math.Clamp(sample - retainedStart, 0, retainedCount);
        retainedOffset += drop;
        retainedCount -= drop;
        retainedStart += drop;
    }

    private static int SecondsToSamples(double seconds) => (int)Math.Round(seconds * SileroVadModel.SampleRate);
}
