using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>The served emotion model and the speech detector, loaded once for a test class; a recording analysed as the
/// service does, or a call's channels fed in blocks.</summary>
public sealed class CallFixture : IDisposable
{
    public EmotionClassifier Classifier { get; } = new(Options.Create(new AnalysisOptions()));

    public SpeechDetector Detector { get; } = new(new SpeechDetectionOptions());

    /// <summary>The service's analysis of a whole recording, with these options and the fixture's model and detector.</summary>
    public CallAnalyzer Analyzer(AnalysisOptions? options = null) =>
        new(Options.Create(options ?? new AnalysisOptions()), Options.Create(new CallOptions()), Detector, Classifier);

    /// <summary>Feeds every channel of <paramref name="channels"/> in blocks of <paramref name="blockSamples"/>, as the decoder does.</summary>
    /// <param name="onUtterance">Told each utterance's emotion; with <paramref name="interim"/> set the session runs as a live stream.</param>
    internal EmotionResult Analyse(IReadOnlyList<float[]> channels, AnalysisRequest request, int blockSamples = 4096, CallOptions? options = null,
        Action<UtteranceEmotion>? onUtterance = null, InterimPolicy? interim = null)
    {
        var session = new CallSession(channels.Count, Detector, Classifier, options ?? new CallOptions(), request,
            clipLimit: 120 * 16000, silenceThresholdDbfs: -50, onUtterance, interim);
        var length = channels[0].Length;
        for (var start = 0; start < length; start += blockSamples)
        {
            var count = Math.Min(blockSamples, length - start);
            for (var channel = 0; channel < channels.Count; channel++)
            {
                session.Push(channel, channels[channel].AsSpan(start, count));
            }
        }
        return session.Complete(length / 16000.0, new AudioFacts(length / 16000.0, 16000, channels.Count));
    }

    public void Dispose()
    {
        Classifier.Dispose();
        Detector.Dispose();
    }
}
