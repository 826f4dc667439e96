using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// A duration-weighted mean of probability vectors: how one answer is made for a segment, a channel, a quarter of
/// the call or the whole call out of its windows. Sums in double, in the order added, so the same input always
/// gives the same bits.
/// </summary>
internal sealed class EmotionAverage
{
    private readonly double[] sums = new double[EmotionLabels.All.Count];

    public double Weight { get; private set; }

    public void Add(float[] probabilities, double weight)
    {
        if (weight <= 0)
        {
            return;
        }
        for (var i = 0; i < sums.Length; i++)
        {
            sums[i] += probabilities[i] * weight;
        }
        Weight += weight;
    }

    public void Add(EmotionAverage other)
    {
        for (var i = 0; i < sums.Length; i++)
        {
            sums[i] += other.sums[i];
        }
        Weight += other.Weight;
    }

    public bool IsEmpty => Weight <= 0;

    /// <summary>The mean, renormalised to sum to 1 (float rounding).</summary>
    public float[] Mean()
    {
        var total = sums.Sum();
        return sums.Select(sum => (float)(sum / total)).ToArray();
    }

    public EmotionShare? ToShare()
    {
        if (IsEmpty)
        {
            return null;
        }
        var mean = Mean();
        return new EmotionShare(EmotionLabels.MostProbable(mean), EmotionLabels.ByLabel(mean));
    }
}
