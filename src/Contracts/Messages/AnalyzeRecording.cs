namespace SpeechEmotion.Contracts.Messages;

/// <summary>
/// Asks a worker to analyse the recording stored for a job. Carries only the id: the job row and the
/// recording are the source of truth, so a duplicate or late message can always be checked against them.
/// </summary>
public sealed record AnalyzeRecording
{
    public required Guid JobId { get; init; }
}
