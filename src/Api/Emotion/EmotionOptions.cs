namespace SpeechEmotion.Api.Emotion;

/// <summary>Settings of POST /emotion, bound from the configuration section "Emotion".</summary>
public sealed class EmotionOptions
{
    public const string SectionName = "Emotion";

    /// <summary>How long POST /emotion waits for its job before answering 202 with the job's link.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
