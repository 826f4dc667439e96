using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Preprocessing;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// Collects the windows of one channel and classifies them in batches through the shared model: full-length windows
/// wait until a batch is full (or the channel ends), a shorter window (a whole short region) runs on its own because
/// the graph takes one length per batch. Holds at most one batch of audio.
/// </summary>
internal sealed class WindowBatcher
{
    private readonly EmotionClassifier classifier;
    private readonly int fullLength;
    private readonly int batchSize;
    private readonly float[] batch;
    private readonly List<AnalysisWindow> pending = [];

    public WindowBatcher(EmotionClassifier classifier, int fullLength, int batchSize)
    {
        this.classifier = classifier;
        this.fullLength = fullLength;
        this.batchSize = batchSize;
        batch = new float[batchSize * fullLength];
    }

    /// <summary>Time spent in the model for this channel (the inference-duration metric).</summary>
    public TimeSpan InferenceTime { get; private set; }

    /// <summary>Every window classified so far, in the order they were classified.</summary>
    public List<ClassifiedWindow> Classified { get; } = [];

    /// <summary>Queues a window whose audio is <paramref name="samples"/> (copied: the caller's buffer moves on).</summary>
    public void Add(AnalysisWindow window, ReadOnlySpan<float> samples)
    {
        if (samples.Length != fullLength)
        {
            var input = ModelInput.CenterPad(new ArraySegment<float>(samples.ToArray()));
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Classified.Add(new ClassifiedWindow(window, classifier.Classify(input)));
            InferenceTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return;
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
        for (var i = 0; i < pending.Count; i++)
        {
            Classified.Add(new ClassifiedWindow(pending[i], probabilities[i]));
        }
        pending.Clear();
    }
}
