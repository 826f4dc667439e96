using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis;

/// <summary>
/// The whole path from an upload to an emotion: prepare the recording (sniff, decode, validate, trim), then classify.
/// Holds no per-request state, so one instance serves all requests concurrently.
/// </summary>
public sealed class RecordingAnalyzer
{
    private readonly RecordingPreparer preparer;
    private readonly EmotionClassifier classifier;

    public RecordingAnalyzer(IOptions<AnalysisOptions> options, EmotionClassifier classifier, SpeechDetector speechDetector)
    {
        preparer = new RecordingPreparer(options.Value, speechDetector);
        this.classifier = classifier;
    }

    /// <exception cref="AudioRejectedException">The upload cannot be analysed; its Code says why.</exception>
    public async Task<EmotionAnalysis> AnalyzeAsync(Stream audio, string fileName, CancellationToken cancellationToken)
    {
        var recording = await preparer.PrepareAsync(audio, fileName, cancellationToken);
        var probabilities = classifier.Classify(recording.ModelInput);
        return new EmotionAnalysis(MostProbable(probabilities), ByLabel(probabilities), classifier.ModelVersion, recording.Audio);
    }

    private static string MostProbable(float[] probabilities) =>
        EmotionLabels.All[Array.IndexOf(probabilities, probabilities.Max())];

    private static Dictionary<string, float> ByLabel(float[] probabilities) =>
        EmotionLabels.All.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => probabilities[pair.index]);
}
