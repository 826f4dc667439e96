using MassTransit;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Processing.Batches;

/// <summary>
/// The two queues a job's <see cref="AnalyzeRecording"/> message can go to. Live jobs (POST /jobs, /emotion) are
/// published to <c>analyze-recording</c>; batch work is sent to <c>analyze-recording-batch</c>, a queue of its own
/// consumed with fewer messages at once (Processing:BatchConcurrentMessageLimit), so a 100,000-job reprocessing
/// waits behind itself and never in front of a live job. The same consumer serves both.
/// </summary>
public sealed class AnalysisQueues(JobsDbContext db, IPublishEndpoint publisher, ISendEndpointProvider senders)
{
    public const string BatchQueueName = "analyze-recording-batch";
    private static readonly Uri BatchQueue = new($"queue:{BatchQueueName}");

    public Task PublishLiveAsync(Guid jobId, CancellationToken cancellationToken) =>
        publisher.Publish(new AnalyzeRecording { JobId = jobId }, cancellationToken);

    public async Task SendToBatchQueueAsync(IEnumerable<Guid> jobIds, CancellationToken cancellationToken)
    {
        var endpoint = await senders.GetSendEndpoint(BatchQueue);
        await endpoint.SendBatch(jobIds.Select(id => new AnalyzeRecording { JobId = id }), cancellationToken);
    }

    /// <summary>For the recovery sweep: a job of a running batch goes back to the batch queue, any other to the live one.</summary>
    public async Task RepublishAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var inRunningBatch = await db.BatchMembers
            .Where(m => m.JobId == jobId)
            .Join(db.Batches, m => m.BatchId, b => b.Id, (_, b) => b)
            .AnyAsync(b => b.Status == BatchStatus.Running, cancellationToken);
        if (inRunningBatch)
        {
            await SendToBatchQueueAsync([jobId], cancellationToken);
            return;
        }
        await PublishLiveAsync(jobId, cancellationToken);
    }
}
