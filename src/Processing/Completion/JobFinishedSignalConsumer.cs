using MassTransit;
using SpeechEmotion.Contracts.Messages;

namespace SpeechEmotion.Processing.Completion;

/// <summary>
/// Embedded mode: turns each <see cref="JobFinished"/> event into the in-process <see cref="JobCompletionSignal"/>
/// that a waiting <c>POST /emotion</c> listens to. Events for jobs nobody waits on are dropped.
/// </summary>
public sealed class JobFinishedSignalConsumer(JobCompletionSignal completion) : IConsumer<JobFinished>
{
    public Task Consume(ConsumeContext<JobFinished> context)
    {
        completion.Notify(context.Message.JobId);
        return Task.CompletedTask;
    }
}
