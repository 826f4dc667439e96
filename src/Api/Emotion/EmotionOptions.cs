namespace SpeechEmotion.Api.Emotion;

/// <summary>Settings of POST /emotion, bound from the configuration section "Emotion".</summary>
public sealed class EmotionOptions
{
    public const string SectionName = "Emotion";

    /// <summary>How long POST /emotion waits for its job before answering 202 with the job's link.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often POST /emotion re-reads its job while waiting. Only a fallback: the job's JobFinished event wakes the
    /// request at once, so this matters only if the event is lost (it is re-published by the recovery sweep later).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
