namespace SpeechEmotion.Contracts.Emotions;

/// <summary>The seven emotions, in the order of the model's output (docs/design.md, "The model contract").</summary>
public static class EmotionLabels
{
    public const string Neutral = "neutral";
    public const string Happy = "happy";
    public const string Sad = "sad";
    public const string Angry = "angry";
    public const string Fearful = "fearful";
    public const string Surprised = "surprised";
    public const string Disgust = "disgust";

    public static IReadOnlyList<string> All { get; } = [Neutral, Happy, Sad, Angry, Fearful, Surprised, Disgust];

    /// <summary>The label of the highest probability (the first of a tie); <paramref name="probabilities"/> in label order.</summary>
    public static string MostProbable(float[] probabilities)
    {
        var best = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
            {
                best = i;
            }
        }
        return All[best];
    }

    /// <summary>Probabilities in label order, keyed by label (the JSON's "probabilities").</summary>
    public static Dictionary<string, float> ByLabel(float[] probabilities) =>
        All.Select((label, index) => (label, index)).ToDictionary(pair => pair.label, pair => probabilities[pair.index]);

    /// <summary>The inverse of <see cref="ByLabel"/>: probabilities keyed by label, in label order.</summary>
    public static float[] InLabelOrder(IReadOnlyDictionary<string, float> probabilities) =>
        All.Select(label => probabilities[label]).ToArray();
}
