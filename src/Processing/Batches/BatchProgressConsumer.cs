using MassTransit;
using SpeechEmotion.Contracts.Messages;

namespace SpeechEmotion.Processing.Batches;

/// <summary>
/// A job ended: each running batch it belongs to may now be complete. Counts come from the job rows, never from
/// adding up events, so a duplicate or late <see cref="JobFinished"/> changes nothing.
/// </summary>
public sealed class BatchProgressConsumer(BatchLifecycle progress) : IConsumer<JobFinished>
{
    public async Task Consume(ConsumeContext<JobFinished> context)
    {
        foreach (var batchId in await progress.OpenBatchesOfAsync(context.Message.JobId, context.CancellationToken))
        {
            await progress.CompleteIfFinishedAsync(batchId, context.CancellationToken);
        }
    }
}
