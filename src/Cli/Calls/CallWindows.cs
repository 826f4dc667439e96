using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Cli.Audio;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Cli.Calls;

/// <summary>One window of a call and what the service said about it: an emotion and its probabilities, or why it was skipped.</summary>
public sealed record WindowResult(
    double StartSeconds, double EndSeconds, string? Emotion, string? SkippedBecause, IReadOnlyDictionary<string, float>? Probabilities = null);

/// <summary>
/// The emotion distribution of an unlabelled call, window by window: the plausibility check of issue 10. In an
/// ordinary service call most speech is neutral and a polite agent is not angry, so the target is at least half of
/// the windows with speech neutral and at most a fifth angry or disgust.
/// </summary>
public sealed record WindowsReport(
    string File,
    string ModelVersion,
    double WindowSeconds,
    double HopSeconds,
    double? SpeakerNormalisation,
    double DurationSeconds,
    int Windows,
    int WithSpeech,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyDictionary<string, int> Counts,
    double NeutralShare,
    double AngryOrDisgustShare,
    bool Plausible,
    IReadOnlyList<WindowResult> Timeline)
{
    public const double MinNeutralShare = 0.5;
    public const double MaxAngryOrDisgustShare = 0.2;

    /// <param name="speakerNormalisation">The strength α the timeline was normalised with (<see cref="CallWindows.NormalisePerSpeaker"/>); null when it was not.</param>
    public static WindowsReport Build(string file, string modelVersion, double windowSeconds, double hopSeconds, double durationSeconds,
        IReadOnlyList<WindowResult> timeline, double? speakerNormalisation = null)
    {
        var analysed = timeline.Where(window => window.Emotion is not null).ToList();
        var counts = EmotionLabels.All.ToDictionary(label => label, label => analysed.Count(window => window.Emotion == label));
        double Share(params string[] labels) => analysed.Count == 0 ? 0 : labels.Sum(label => counts[label]) / (double)analysed.Count;
        var neutral = Share(EmotionLabels.Neutral);
        var angryOrDisgust = Share(EmotionLabels.Angry, EmotionLabels.Disgust);
        return new WindowsReport(
            file, modelVersion, windowSeconds, hopSeconds, speakerNormalisation, durationSeconds, timeline.Count, analysed.Count,
            timeline.Where(window => window.SkippedBecause is not null).GroupBy(window => window.SkippedBecause!)
                .ToDictionary(group => group.Key, group => group.Count()),
            counts, neutral, angryOrDisgust,
            analysed.Count > 0 && neutral >= MinNeutralShare && angryOrDisgust <= MaxAngryOrDisgustShare,
            timeline);
    }
}

/// <summary>
/// Cuts a decoded call into consecutive windows and sends each through the service's whole path as its own 16 kHz
/// WAV upload through <see cref="CallAnalyzer"/>, so speech detection, windowing and the model decide exactly as
/// for a client's recording (channels mixed, as POST /jobs by default). A window the service refuses (no_speech:
/// nothing but line noise or silence) is skipped.
/// </summary>
public sealed class CallWindows(CallAnalyzer analyzer)
{
    /// <summary>A last, shorter window is kept when it is at least this fraction of a window; shorter tails are dropped.</summary>
    public const double MinTailFraction = 0.5;

    /// <summary>
    /// The windows' (start, length) in samples of the 16 kHz signal: a window every <paramref name="hopSamples"/>
    /// (consecutive when it equals the window; overlapping when shorter) until one reaches the end; a last window
    /// shorter than the others is kept when it is at least half a window.
    /// </summary>
    public static IReadOnlyList<(int Start, int Length)> Cut(int sampleCount, int windowSamples, int hopSamples)
    {
        var windows = new List<(int, int)>();
        for (var start = 0; start < sampleCount; start += hopSamples)
        {
            var length = Math.Min(windowSamples, sampleCount - start);
            if (length >= windowSamples * MinTailFraction)
            {
                windows.Add((start, length));
            }
            if (start + length == sampleCount)
            {
                break;   // later windows would only be shorter copies of this one's end
            }
        }

        return windows;
    }

    public async Task<IReadOnlyList<WindowResult>> AnalyzeAsync(
        float[] samples, IReadOnlyList<(int Start, int Length)> windows, Action? windowDone, CancellationToken cancellationToken)
    {
        const int rate = WavFile.ServiceSampleRate;
        var results = new WindowResult[windows.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, windows.Count), options, async (index, token) =>
        {
            var (start, length) = windows[index];
            var upload = WavFile.Float32(samples.AsSpan(start, length).ToArray());
            var (from, to) = (start / (double)rate, (start + length) / (double)rate);
            try
            {
                var analysis = await analyzer.AnalyzeAsync(new MemoryStream(upload), "window.wav", AnalysisRequest.Default, token);
                results[index] = new WindowResult(from, to, analysis.Emotion, null, analysis.Probabilities);
            }
            catch (AudioRejectedException rejection)
            {
                results[index] = new WindowResult(from, to, null, rejection.Code);
            }

            windowDone?.Invoke();
        });
        return results;
    }

    /// <summary>
    /// The timeline with every analysed window normalised together at <paramref name="strength"/>
    /// (<see cref="SpeakerNormalisation"/>, each window weighted by its seconds) and its emotion re-read: the whole
    /// recording taken as one speaker's channel. The windows are uploads with their channels mixed, so this is per
    /// channel only for a mono call (both calls of ../shared/calls are). Skipped windows stay skipped.
    /// </summary>
    public static IReadOnlyList<WindowResult> NormalisePerSpeaker(IReadOnlyList<WindowResult> timeline, double strength, ClassPrior prior)
    {
        var analysed = timeline.Where(window => window.Probabilities is not null).ToList();
        if (analysed.Count == 0)
        {
            return timeline;
        }

        var normalised = SpeakerNormalisation.Apply(
            analysed.Select(window => EmotionLabels.InLabelOrder(window.Probabilities!)).ToList(),
            analysed.Select(window => window.EndSeconds - window.StartSeconds).ToList(), strength, prior);
        var result = new List<WindowResult>(timeline.Count);
        var next = 0;
        foreach (var window in timeline)
        {
            if (window.Probabilities is null)
            {
                result.Add(window);
                continue;
            }
            var probabilities = normalised[next++];
            result.Add(window with
            {
                Emotion = EmotionLabels.MostProbable(probabilities),
                Probabilities = EmotionLabels.ByLabel(probabilities),
            });
        }

        return result;
    }
}
