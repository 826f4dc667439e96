namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// The seven emotions in the order of the model's output (docs/design.md, "The model contract"). A model whose
/// <c>labels</c> metadata differs is refused, because a reordered output would silently swap emotions.
/// </summary>
public static class ModelLabels
{
    public const string Neutral = "neutral";
    public const string Happy = "happy";
    public const string Sad = "sad";
    public const string Angry = "angry";
    public const string Fearful = "fearful";
    public const string Surprised = "surprised";
    public const string Disgust = "disgust";

    public static IReadOnlyList<string> InOutputOrder { get; } = [Neutral, Happy, Sad, Angry, Fearful, Surprised, Disgust];

    /// <summary>The exact value of the model's <c>labels</c> metadata.</summary>
    public static string MetadataValue { get; } = string.Join(',', InOutputOrder);
}
