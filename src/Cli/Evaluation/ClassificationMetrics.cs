using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Evaluation;

/// <summary>Precision, recall and F1 of one label, and how many clips truly carry it.</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Accuracy, macro-F1, per-label precision / recall / F1 / support and the confusion matrix of one set of predictions,
/// as scikit-learn computes them (zero_division = 0; macro-F1 averages the labels that occur as truth or prediction,
/// its default). A clip the service rejected (no_speech, corrupt_audio, ...) has no prediction: it counts as wrong,
/// as a miss of its true label, and in <see cref="Rejected"/>, never as a prediction of any label.
/// </summary>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(
        int clips, double accuracy, double macroF1, IReadOnlyList<ClassMetrics> perClass, int[][] confusion, int[] rejected)
    {
        Clips = clips;
        Accuracy = accuracy;
        MacroF1 = macroF1;
        PerClass = perClass;
        Confusion = confusion;
        Rejected = rejected;
    }

    public int Clips { get; }

    public double Accuracy { get; }

    public double MacroF1 { get; }

    /// <summary>One entry per label, in <see cref="EmotionLabels.All"/> order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Confusion[true][predicted], both in <see cref="EmotionLabels.All"/> order.</summary>
    public int[][] Confusion { get; }

    /// <summary>Rejected clips per true label.</summary>
    public int[] Rejected { get; }

    public int RejectedTotal => Rejected.Sum();

    /// <param name="outcomes">(true label, predicted label or null when the clip was rejected), per clip.</param>
    public static ClassificationMetrics Compute(IReadOnlyList<(string Truth, string? Predicted)> outcomes)
    {
        var labels = EmotionLabels.All;
        var confusion = labels.Select(_ => new int[labels.Count]).ToArray();
        var rejected = new int[labels.Count];
        foreach (var (truth, predicted) in outcomes)
        {
            var row = IndexOf(truth);
            if (predicted is null)
            {
                rejected[row]++;
            }
            else
            {
                confusion[row][IndexOf(predicted)]++;
            }
        }

        var perClass = labels.Select((label, index) => ForLabel(label, index, confusion, rejected)).ToList();
        var averaged = perClass.Where((metrics, index) => metrics.Support > 0 || PredictedCount(confusion, index) > 0).ToList();
        var correct = Enumerable.Range(0, labels.Count).Sum(index => confusion[index][index]);
        return new ClassificationMetrics(
            outcomes.Count,
            outcomes.Count == 0 ? 0 : correct / (double)outcomes.Count,
            averaged.Count == 0 ? 0 : averaged.Average(metrics => metrics.F1),
            perClass,
            confusion,
            rejected);
    }

    private static ClassMetrics ForLabel(string label, int index, int[][] confusion, int[] rejected)
    {
        var truePositives = confusion[index][index];
        var support = confusion[index].Sum() + rejected[index];
        var predicted = PredictedCount(confusion, index);
        var precision = predicted == 0 ? 0 : truePositives / (double)predicted;
        var recall = support == 0 ? 0 : truePositives / (double)support;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassMetrics(label, precision, recall, f1, support);
    }

    private static int PredictedCount(int[][] confusion, int column) => confusion.Sum(row => row[column]);

    private static readonly Dictionary<string, int> LabelIndex =
        EmotionLabels.All.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => pair.index);

    private static int IndexOf(string label) =>
        LabelIndex.TryGetValue(label, out var index)
            ? index
            : throw new ArgumentException($"'{label}' is not one of the seven labels.", nameof(label));
}
