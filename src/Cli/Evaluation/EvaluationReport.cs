using SpeechEmotion.Cli.Corpora;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Evaluation;

/// <summary>The figures of one variation, and how far they fall below the clean clips' (positive = worse).</summary>
public sealed record VariationResult(
    string Variation,
    double Accuracy,
    double MacroF1,
    double AccuracyDrop,
    double MacroF1Drop,
    int Rejected,
    IReadOnlyList<ClassMetrics> PerClass,
    int[][] Confusion,
    int[] RejectedByLabel);

/// <summary>One clip: what it is, and the emotion each variation was given (null when the service rejected it).</summary>
public sealed record ClipReport(
    string File,
    string Speaker,
    string Label,
    IReadOnlyDictionary<string, string?> Predictions,
    IReadOnlyDictionary<string, string>? Rejections,
    IReadOnlyDictionary<string, float>? Probabilities);

/// <summary>Everything <c>evaluate</c> prints; its JSON form is the <c>--json</c> output.</summary>
public sealed record EvaluationReport(
    string Folder,
    string Corpus,
    string? Speakers,
    string ModelVersion,
    IReadOnlyDictionary<string, double>? ClassPrior,
    IReadOnlyList<string> Labels,
    int Clips,
    IReadOnlyList<string> SpeakersEvaluated,
    IReadOnlyList<VariationResult> Results,
    IReadOnlyList<ClipReport> ClipResults)
{
    public static EvaluationReport Build(
        EvaluationRequest request, string modelVersion, IReadOnlyList<ClipResult> results)
    {
        var variations = Variations.Measured(request);
        var metrics = variations.ToDictionary(variation => variation, variation => ClassificationMetrics.Compute(
            results.Select(result => (result.Clip.Label, result.Predictions[variation].Emotion)).ToList()));
        var clean = metrics[Variations.Clean];
        return new EvaluationReport(
            request.Folder,
            request.Corpus,
            request.Speakers,
            modelVersion,
            request.ClassPrior,
            EmotionLabels.All,
            results.Count,
            results.Select(result => result.Clip.QualifiedSpeaker).Distinct().Order(StringComparer.Ordinal).ToList(),
            variations.Select(variation => Summarise(variation, metrics[variation], clean)).ToList(),
            results.Select(result => Describe(result, request.Folder)).ToList());
    }

    private static VariationResult Summarise(string variation, ClassificationMetrics metrics, ClassificationMetrics clean) =>
        new(variation, metrics.Accuracy, metrics.MacroF1, clean.Accuracy - metrics.Accuracy, clean.MacroF1 - metrics.MacroF1,
            metrics.RejectedTotal, metrics.PerClass, metrics.Confusion, metrics.Rejected);

    private static ClipReport Describe(ClipResult result, string folder)
    {
        var rejections = result.Predictions
            .Where(pair => pair.Value.RejectionCode is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value.RejectionCode!);
        return new ClipReport(
            Path.GetRelativePath(folder, result.Clip.Path),
            result.Clip.QualifiedSpeaker,
            result.Clip.Label,
            result.Predictions.ToDictionary(pair => pair.Key, pair => pair.Value.Emotion),
            rejections.Count == 0 ? null : rejections,
            result.Probabilities);
    }
}

/// <summary>What <c>evaluate</c> was asked to do.</summary>
/// <param name="SpeakerNormalisation">--per-speaker-normalise: the strengths α to add a per-speaker normalised row for; empty for none.</param>
public sealed record EvaluationRequest(
    string Folder,
    string Corpus,
    string? Speakers,
    bool Perturb,
    IReadOnlyDictionary<string, double>? ClassPrior,
    IReadOnlyList<double> SpeakerNormalisation);
