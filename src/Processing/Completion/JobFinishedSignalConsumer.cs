using MassTransit;
using SpeechEmotion.Contracts.Messages;

namespace SpeechEmotion.Processing.Completion;

/// <summary>
/// Turns each <see cref="JobFinished"/> event into the in-process <see cref="JobCompletionSignal"/> that a waiting
/// <c>POST /emotion</c> listens to: in the embedded Api on its in-memory bus, in each distributed Api process on a
/// temporary queue of its own. Events for jobs nobody waits on here are dropped.
/// </summary>
public sealed class JobFinishedSignalConsumer(JobCompletionSignal completion) : IConsumer<JobFinished>
{
    public Task Consume(ConsumeContext<JobFinished> context)
    {
        completion.Notify(context.Message.JobId);
        return Task.CompletedTask;
    }
}
