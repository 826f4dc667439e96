namespace SpeechEmotion.Persistence.Results;

/// <summary>
/// One successful analysis of a job's recording, appended (never overwritten): reprocessing a job with a newer
/// model adds a row and keeps the older ones. <see cref="ResultJson"/> is an <c>EmotionResult</c> (Contracts),
/// written and read only through Processing's JobLifecycle.
/// </summary>
public sealed class JobResult
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public required string ModelVersion { get; set; }
    public required string ResultJson { get; set; }
    public DateTime CreatedAt { get; set; }
}
