using System.Globalization;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// Adapts the model's calibrated probabilities to a deployment whose emotions are not balanced (most of a call is
/// neutral). Bayes' rule under label shift: the model says p(c|x) for the class frequencies it was trained on, so for
/// the deployment's frequencies p'(c|x) ∝ p(c|x) · prior(c) / trainingPrior(c), renormalised to sum to 1.
/// Training weights its loss by class, so its prior is uniform unless the model's metadata <c>class_prior</c> says
/// otherwise. Off (probabilities unchanged) when no prior is configured: the balanced benchmarks must see the raw model.
/// </summary>
public sealed class ClassPrior
{
    /// <summary>Optional model metadata: the class frequencies training balanced to, seven numbers in label order.</summary>
    public const string TrainingPriorMetadataKey = "class_prior";

    /// <summary>prior(c) / trainingPrior(c) per label; null when off.</summary>
    private readonly double[]? weights;

    private ClassPrior(double[]? weights) => this.weights = weights;

    public static ClassPrior Off { get; } = new(null);

    public bool IsOff => weights is null;

    /// <summary>
    /// The prior from the <c>Analysis:ClassPrior</c> weights by label (all seven, each &gt; 0, any scale) and the
    /// model's optional training-prior metadata. An empty dictionary is off.
    /// </summary>
    /// <exception cref="ArgumentException">A label is unknown or missing, or a weight is not a positive number.</exception>
    public static ClassPrior From(IReadOnlyDictionary<string, double> deploymentPrior, string? trainingPriorMetadata = null)
    {
        if (deploymentPrior.Count == 0)
        {
            return Off;
        }

        var deployment = InLabelOrder(deploymentPrior);
        var training = trainingPriorMetadata is null ? Uniform() : ParseMetadata(trainingPriorMetadata);
        return new ClassPrior(deployment.Select((weight, index) => weight / training[index]).ToArray());
    }

    /// <summary>The probabilities (in <see cref="EmotionLabels.All"/> order) under this prior; the same array when off.</summary>
    public float[] Apply(float[] probabilities)
    {
        if (weights is null)
        {
            return probabilities;
        }

        var weighted = probabilities.Select((probability, index) => probability * weights[index]).ToArray();
        var total = weighted.Sum();
        return weighted.Select(value => (float)(value / total)).ToArray();
    }

    /// <summary>
    /// The inverse of <see cref="Apply"/>: the model's own probabilities back from ones this prior re-weighted
    /// (p(c) ∝ p'(c) / weight(c)); the same array when off. Lets a step that must see the model's own answer
    /// (<see cref="SpeakerNormalisation"/>) run on the classifier's output and apply the prior again after it.
    /// </summary>
    public float[] Remove(float[] probabilities)
    {
        if (weights is null)
        {
            return probabilities;
        }

        var unweighted = probabilities.Select((probability, index) => probability / weights[index]).ToArray();
        var total = unweighted.Sum();
        return unweighted.Select(value => (float)(value / total)).ToArray();
    }

    private static double[] InLabelOrder(IReadOnlyDictionary<string, double> prior)
    {
        var byLabel = new Dictionary<string, double>(prior, StringComparer.OrdinalIgnoreCase);
        var unknown = byLabel.Keys.Where(key => !EmotionLabels.All.Contains(key, StringComparer.OrdinalIgnoreCase)).ToList();
        var missing = EmotionLabels.All.Where(label => !byLabel.ContainsKey(label)).ToList();
        if (unknown.Count > 0 || missing.Count > 0)
        {
            throw new ArgumentException(
                "Analysis:ClassPrior needs a weight for each of the seven labels " +
                $"({string.Join(", ", EmotionLabels.All)}); " +
                (unknown.Count > 0 ? $"unknown: {string.Join(", ", unknown)}; " : "") +
                (missing.Count > 0 ? $"missing: {string.Join(", ", missing)}." : ""));
        }

        var weights = EmotionLabels.All.Select(label => byLabel[label]).ToArray();
        ThrowUnlessPositive(weights, "Analysis:ClassPrior");
        return weights;
    }

    private static double[] ParseMetadata(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var weights = new double[parts.Length];
        if (parts.Length != EmotionLabels.All.Count
            || !parts.Select((part, index) => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out weights[index])).All(ok => ok))
        {
            throw new ArgumentException(
                $"The model's '{TrainingPriorMetadataKey}' metadata must be {EmotionLabels.All.Count} numbers in label order, got '{value}'.");
        }

        ThrowUnlessPositive(weights, $"The model's '{TrainingPriorMetadataKey}' metadata");
        return weights;
    }

    private static void ThrowUnlessPositive(double[] weights, string what)
    {
        if (weights.Any(weight => !double.IsFinite(weight) || weight <= 0))
        {
            throw new ArgumentException($"{what}: every weight must be a positive number, got {string.Join(", ", weights)}.");
        }
    }

    private static double[] Uniform() => Enumerable.Repeat(1.0, EmotionLabels.All.Count).ToArray();
}
