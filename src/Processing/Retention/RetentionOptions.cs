namespace SpeechEmotion.Processing.Retention;

/// <summary>How long uploaded audio is kept, bound from the configuration section "Retention".</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// Audio older than this many days is deleted; the recording's facts and every result stay
    /// (<c>Retention__AudioDays</c>). Unset: audio is kept until its job is deleted.
    /// </summary>
    public int? AudioDays { get; set; }

    /// <summary>How often the retention sweep looks for audio past its age.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public bool IsValid => AudioDays is null or > 0 && SweepInterval > TimeSpan.Zero;
}
