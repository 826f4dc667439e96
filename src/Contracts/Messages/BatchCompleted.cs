namespace SpeechEmotion.Contracts.Messages;

/// <summary>
/// Every job of a batch has finished (or the batch was cancelled); published once per batch. Webhook
/// subscriptions for <c>batch.completed</c> listen to it and read the batch row for its counts.
/// </summary>
public sealed record BatchCompleted
{
    public required Guid BatchId { get; init; }
    public required DateTime CompletedAt { get; init; }
}
