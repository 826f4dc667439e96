using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// One channel of a call as it streams past: the speech detector finds regions, the audio of a region is kept only
/// until the region closes, then cut into windows for the <see cref="WindowBatcher"/>. Memory is bounded by the
/// longest region (at most <see cref="CallOptions.MaxRegionSeconds"/>), never by the call. Each region's emotion is
/// told through <c>onUtterance</c> once all its windows are classified: at the end of a batch for a recording, at
/// once for a live stream (<c>interim</c> set), which also hears about regions still going.
/// </summary>
internal sealed class ChannelTrack
{
    private readonly int channel;
    private readonly SpeechStream speech;
    private readonly WindowBatcher batcher;
    private readonly int window;
    private readonly int hop;
    private readonly long maxRetained;

    // Audio kept for regions not yet reported: samples [retainedStart, retainedStart + retainedCount) of the channel,
    // stored from retainedOffset in the buffer.
    private float[] retained = new float[16000];
    private int retainedOffset;
    private int retainedCount;
    private long retainedStart;

    // The first seconds of the channel, kept while the recording may still be a short clip (see ClipSamples).
    private readonly int clipLimit;
    private float[]? clip = [];
    private int clipCount;

    // Utterances cut but not yet told: their windows are still waiting in the batch.
    private readonly Action<UtteranceEmotion>? onUtterance;
    private readonly List<PendingUtterance> pendingUtterances = [];

    // Live streams only: interim answers on the region still going.
    private readonly InterimPolicy? interim;
    private long? interimRegion;
    private long nextInterimAt;

    public ChannelTrack(int channel, SpeechStream speech, WindowBatcher batcher, CallOptions options, int clipLimit,
        Action<UtteranceEmotion>? onUtterance = null, InterimPolicy? interim = null)
    {
        this.channel = channel;
        this.clipLimit = clipLimit;
        this.speech = speech;
        this.batcher = batcher;
        this.onUtterance = onUtterance;
        this.interim = interim;
        window = SecondsToSamples(options.WindowSeconds);
        hop = SecondsToSamples(options.HopSeconds);
        maxRetained = SecondsToSamples(options.MaxRegionSeconds);
        if (onUtterance is not null)
        {
            batcher.WindowClassified = OnWindowClassified;
        }
    }

    /// <summary>A live stream classifies each region as it closes instead of filling batches (latency over throughput).</summary>
    private bool IsLive => interim is not null;

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
        if (IsLive)
        {
            batcher.Flush();
            TellInterim();
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
        Expect(start, end, 1);
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
        var pieces = AnalysisWindow.Plan(start, end, window, hop);
        Expect(start, end, pieces.Count);
        foreach (var piece in pieces)
        {
            batcher.Add(piece, Retained(piece.Start, piece.Length));
        }
    }

    private void Expect(long start, long end, int windows)
    {
        if (onUtterance is not null)
        {
            pendingUtterances.Add(new PendingUtterance(start, end, windows));
        }
    }

    private ReadOnlySpan<float> Retained(long start, int length) => retained.AsSpan(retainedOffset + (int)(start - retainedStart), length);

    /// <summary>Counts the window towards its utterance; tells the utterance once its last window is in.</summary>
    private void OnWindowClassified(ClassifiedWindow classified)
    {
        var index = pendingUtterances.FindIndex(u => classified.Window.OwnStart >= u.Start && classified.Window.OwnStart < u.End);
        if (index < 0)
        {
            return;
        }
        var utterance = pendingUtterances[index];
        utterance.Average.Add(classified.Probabilities, classified.Window.OwnEnd - classified.Window.OwnStart);
        if (--utterance.WindowsLeft > 0)
        {
            return;
        }
        pendingUtterances.RemoveAt(index);
        Tell(utterance.Start, utterance.End, utterance.Average.Mean(), final: true);
    }

    /// <summary>
    /// On a live stream, a region still going gets an answer over its last window once it has lasted
    /// <see cref="InterimPolicy.AfterSeconds"/>, then every <see cref="InterimPolicy.EverySeconds"/>.
    /// </summary>
    private void TellInterim()
    {
        if (speech.OpenRegionStart is not { } regionStart)
        {
            interimRegion = null;
            return;
        }
        if (interimRegion != regionStart)
        {
            interimRegion = regionStart;
            nextInterimAt = regionStart + SecondsToSamples(interim!.AfterSeconds);
        }
        var now = speech.SamplesFed;
        if (now < nextInterimAt)
        {
            return;
        }
        nextInterimAt = now + SecondsToSamples(interim!.EverySeconds);
        var heard = (int)Math.Min(window, now - Math.Max(regionStart, retainedStart));
        if (heard <= 0)
        {
            return;
        }
        Tell(regionStart, now, batcher.ClassifyAside(Retained(now - heard, heard)), final: false);
    }

    private void Tell(long start, long end, float[] probabilities, bool final) =>
        onUtterance?.Invoke(new UtteranceEmotion(channel, Math.Round(Seconds(start), 3), Math.Round(Seconds(end), 3),
            EmotionLabels.MostProbable(probabilities), EmotionLabels.ByLabel(probabilities), final));

    private static double Seconds(long sample) => sample / (double)SileroVadModel.SampleRate;

    /// <summary>A region whose windows are not all classified yet.</summary>
    private sealed class PendingUtterance(long start, long end, int windows)
    {
        public long Start { get; } = start;
        public long End { get; } = end;
        public int WindowsLeft { get; set; } = windows;
        public EmotionAverage Average { get; } = new();
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
