using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Preprocessing;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// Collects the windows of one channel and classifies them in batches through the shared model: full-length windows
/// wait until a batch is full (or the channel ends), a shorter window (a whole short region) runs on its own because
/// the graph takes one length per batch. Holds at most one batch of audio, allocated as windows come (a live stream
/// whose utterances are short never needs it).
/// </summary>
internal sealed class WindowBatcher
{
    private readonly EmotionClassifier classifier;
    private readonly int fullLength;
    private readonly int batchSize;
    private float[] batch = [];
    private readonly List<AnalysisWindow> pending = [];

    public WindowBatcher(EmotionClassifier classifier, int fullLength, int batchSize)
    {
        this.classifier = classifier;
        this.fullLength = fullLength;
        this.batchSize = batchSize;
    }

    /// <summary>Time spent in the model for this channel (the inference-duration metric).</summary>
    public TimeSpan InferenceTime { get; private set; }

    /// <summary>Every window classified so far, in the order they were classified.</summary>
    public List<ClassifiedWindow> Classified { get; } = [];

    /// <summary>Called with each window as soon as it is classified (the channel turns windows into utterances).</summary>
    public Action<ClassifiedWindow>? WindowClassified { get; set; }

    /// <summary>Whether full-length windows wait in the batch; false while windows are queued but not yet classified.</summary>
    public bool HasPending => pending.Count > 0;

    /// <summary>Queues a window whose audio is <paramref name="samples"/> (copied: the caller's buffer moves on).</summary>
    public void Add(AnalysisWindow window, ReadOnlySpan<float> samples)
    {
        if (samples.Length != fullLength)
        {
            Record(new ClassifiedWindow(window, ClassifyAside(samples)));
            return;
        }

        if (batch.Length < (pending.Count + 1) * fullLength)
        {
            Array.Resize(ref batch, Math.Min(batchSize, Math.Max(1, pending.Count * 2)) * fullLength);
        }
        samples.CopyTo(batch.AsSpan(pending.Count * fullLength));
        pending.Add(window);
        if (pending.Count == batchSize)
        {
            Flush();
        }
    }

    /// <summary>Classifies the windows still waiting (end of the channel).</summary>
    public void Flush()
    {
        if (pending.Count == 0)
        {
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var probabilities = classifier.ClassifyBatch(batch, pending.Count, fullLength);
        InferenceTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var classified = pending.Select((window, i) => new ClassifiedWindow(window, probabilities[i])).ToList();
        pending.Clear();
        classified.ForEach(Record);
    }

    /// <summary>
    /// Classifies <paramref name="samples"/> now, on its own, without recording it among the channel's windows (an
    /// interim answer on speech still going; its time counts in <see cref="InferenceTime"/>).
    /// </summary>
    public float[] ClassifyAside(ReadOnlySpan<float> samples)
    {
        var input = ModelInput.CenterPad(new ArraySegment<float>(samples.ToArray()));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var probabilities = classifier.Classify(input);
        InferenceTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return probabilities;
    }

    private void Record(ClassifiedWindow window)
    {
        Classified.Add(window);
        WindowClassified?.Invoke(window);
    }
}
