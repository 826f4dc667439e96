using SpeechEmotion.Contracts.Messages;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// Writes the <c>data</c> of a <c>batch.completed</c> delivery: the same JSON as <c>GET /batches/{id}</c>. The batch
/// feature registers its own writer over <see cref="EventOnlyBatchWebhookData"/>, which knows only the event's facts.
/// </summary>
public interface IBatchWebhookData
{
    Task<object> DescribeAsync(BatchCompleted completed, CancellationToken cancellationToken);
}

/// <summary>Until batches have a view of their own: the batch id, its status and when it completed.</summary>
public sealed class EventOnlyBatchWebhookData : IBatchWebhookData
{
    public Task<object> DescribeAsync(BatchCompleted completed, CancellationToken cancellationToken) =>
        Task.FromResult<object>(new { id = completed.BatchId, status = "completed", completedAt = completed.CompletedAt });
}
