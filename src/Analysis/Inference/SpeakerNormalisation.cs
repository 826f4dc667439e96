namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// Per-speaker normalisation (issue 10): a voice pushes every window of it the same way (a low voice towards sad, a
/// tense one towards angry), so with all windows of one speaker at hand (one channel of a call, one actor's clips)
/// that common push can be taken out. Each window's log-probabilities are shifted by −<c>strength</c> × the speaker's
/// weighted mean log-probabilities, then renormalised:
/// p'(c|x) ∝ p(c|x) / g(c)^α, with g(c) the weighted geometric mean of the speaker's p(c|·) and α the strength.
/// α = 0 is off; α = 1 divides out the speaker's own average answer, as if it were that speaker's class prior.
/// Mean log-probabilities equal mean logits up to one constant per window, which the renormalisation removes.
/// It assumes each speaker's emotions are as balanced as training's: on a call that is mostly neutral it takes the
/// neutral for the voice and pushes windows away from it (measured in models/MODEL_CARD.md, "Per-speaker
/// normalisation"). A deployment class prior (<see cref="ClassPrior"/>) is divided out before and applied after, so
/// the two compose instead of the normalisation cancelling the prior.
/// </summary>
public static class SpeakerNormalisation
{
    /// <summary>Probabilities below this count as this in the logarithm (a float softmax can underflow to 0).</summary>
    private const double Floor = 1e-12;

    /// <summary>
    /// The windows of one speaker, normalised. <paramref name="probabilities"/>: one vector per window, each over the
    /// same labels; <paramref name="weights"/>: how much each window counts in the speaker's mean (e.g. its seconds of
    /// speech), ≥ 0 and not all 0; <paramref name="strength"/>: α, ≥ 0. Returns new vectors in the same order.
    /// </summary>
    public static float[][] Apply(IReadOnlyList<float[]> probabilities, IReadOnlyList<double> weights, double strength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(strength);
        if (probabilities.Count != weights.Count)
        {
            throw new ArgumentException($"{probabilities.Count} windows but {weights.Count} weights.", nameof(weights));
        }
        if (probabilities.Count == 0 || strength == 0)
        {
            return probabilities.Select(window => (float[])window.Clone()).ToArray();
        }

        var speaker = MeanLogProbabilities(probabilities, weights);
        return probabilities.Select(window => Softmax(window.Select((p, c) => Log(p) - strength * speaker[c]).ToArray())).ToArray();
    }

    /// <summary>
    /// As <see cref="Apply(IReadOnlyList{float[]}, IReadOnlyList{double}, double)"/> for probabilities that already
    /// carry <paramref name="prior"/> (what <see cref="EmotionClassifier"/> returns): the prior is divided out, the
    /// model's own probabilities normalised, and the prior applied again.
    /// </summary>
    public static float[][] Apply(IReadOnlyList<float[]> probabilities, IReadOnlyList<double> weights, double strength, ClassPrior prior)
    {
        var model = probabilities.Select(prior.Remove).ToList();
        return Apply(model, weights, strength).Select(prior.Apply).ToArray();
    }

    private static double[] MeanLogProbabilities(IReadOnlyList<float[]> probabilities, IReadOnlyList<double> weights)
    {
        var labels = probabilities[0].Length;
        var sums = new double[labels];
        var total = 0.0;
        for (var window = 0; window < probabilities.Count; window++)
        {
            var weight = weights[window];
            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"Window weights must be finite and ≥ 0, got {weight}.", nameof(weights));
            }
            if (probabilities[window].Length != labels)
            {
                throw new ArgumentException("Every window needs the same number of labels.", nameof(probabilities));
            }
            for (var c = 0; c < labels; c++)
            {
                sums[c] += weight * Log(probabilities[window][c]);
            }
            total += weight;
        }
        if (total <= 0)
        {
            throw new ArgumentException("At least one window needs a positive weight.", nameof(weights));
        }

        return sums.Select(sum => sum / total).ToArray();
    }

    private static double Log(float probability) => Math.Log(Math.Max(probability, Floor));

    private static float[] Softmax(double[] logits)
    {
        var max = logits.Max();
        var exps = logits.Select(value => Math.Exp(value - max)).ToArray();
        var total = exps.Sum();
        return exps.Select(value => (float)(value / total)).ToArray();
    }
}
