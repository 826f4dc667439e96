using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>One loaded served model and analyzer for a test class, as a process has one.</summary>
public sealed class ServedModelFixture : IDisposable
{
    public ServedModelFixture()
    {
        var options = Options.Create(new AnalysisOptions());
        Classifier = new EmotionClassifier(options);
        SpeechDetector = new SpeechDetector(new SpeechDetectionOptions());
        Analyzer = new RecordingAnalyzer(options, Classifier, SpeechDetector);
    }

    public EmotionClassifier Classifier { get; }

    public SpeechDetector SpeechDetector { get; }

    public RecordingAnalyzer Analyzer { get; }

    public void Dispose()
    {
        Classifier.Dispose();
        SpeechDetector.Dispose();
    }
}
