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
}
