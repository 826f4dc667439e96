namespace SpeechEmotion.Contracts.Messages;

/// <summary>
/// A job reached its end (succeeded or failed), published by the job lifecycle wherever that happens: a worker's
/// success, the fault consumer, an unclaimable message, the recovery sweep. Listeners (webhooks, batch counters,
/// the embedded <c>POST /emotion</c> waiter) read the job row for details: the row is the source of truth, so a
/// duplicate event is harmless.
/// </summary>
public sealed record JobFinished
{
    public required Guid JobId { get; init; }
    public required bool Succeeded { get; init; }
    /// <summary>The stable error code when the job failed; null on success.</summary>
    public string? ErrorCode { get; init; }
    public required DateTime FinishedAt { get; init; }
}
