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

    /// <summary>
    /// The job's message, to the queue it belongs on: the batch queue for a job of a running batch (its membership is
    /// written before it is queued), the live queue for any other. Every publish of <see cref="AnalyzeRecording"/>
    /// (a new job, a reprocessed one, the recovery sweep's) comes through here, via the job lifecycle.
    /// </summary>
    public async Task PublishAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var inRunningBatch = await db.BatchMembers
            .Where(m => m.JobId == jobId)
            .Join(db.Batches, m => m.BatchId, b => b.Id, (_, b) => b)
            .AnyAsync(b => b.Status == BatchStatus.Running, cancellationToken);
        if (inRunningBatch)
        {
            var endpoint = await senders.GetSendEndpoint(BatchQueue);
            await endpoint.Send(new AnalyzeRecording { JobId = jobId }, cancellationToken);
            return;
        }
        await publisher.Publish(new AnalyzeRecording { JobId = jobId }, cancellationToken);
    }
}
