using System.Diagnostics;
using Microsoft.Extensions.Logging;
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
        var started = Stopwatch.GetTimestamp();
        var probabilities = classifier.Classify(recording.ModelInput);
        return new EmotionAnalysis(EmotionLabels.MostProbable(probabilities), EmotionLabels.ByLabel(probabilities), classifier.ModelVersion, recording.Audio)
        {
            InferenceDuration = Stopwatch.GetElapsedTime(started),
        };
    }

    /// <summary>
    /// The upload as the analyzer hears it before speech detection and trimming: 16 kHz mono float32, after the same
    /// format and duration checks. For tools that feed the model something else than the trimmed speech (the
    /// robustness rows of <c>speechemotion evaluate</c>, windows of a long call).
    /// </summary>
    /// <exception cref="AudioRejectedException">The upload cannot be decoded; its Code says why.</exception>
    public async Task<float[]> DecodeAsync(Stream audio, string fileName, CancellationToken cancellationToken) =>
        (await preparer.DecodeAsync(audio, fileName, cancellationToken)).Samples;

}
