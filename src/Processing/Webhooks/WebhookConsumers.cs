using MassTransit;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>A job ended: its deliveries are written (not sent: the dispatcher sends them, apart from the analysis).</summary>
public sealed class JobFinishedWebhookConsumer(WebhookDeliveryPlanner planner) : IConsumer<JobFinished>
{
    public Task Consume(ConsumeContext<JobFinished> context) =>
        planner.PlanJobFinishedAsync(context.Message.JobId, context.CancellationToken);
}

/// <summary>A batch completed: its <c>batch.completed</c> deliveries are written.</summary>
public sealed class BatchCompletedWebhookConsumer(WebhookDeliveryPlanner planner) : IConsumer<BatchCompleted>
{
    public Task Consume(ConsumeContext<BatchCompleted> context) =>
        planner.PlanBatchCompletedAsync(context.Message, context.CancellationToken);
}

/// <summary>Own queues (each event reaches the webhooks once, whichever worker takes it); database hiccups are retried.</summary>
public sealed class JobFinishedWebhookConsumerDefinition : ConsumerDefinition<JobFinishedWebhookConsumer>
{
    private readonly ProcessingOptions _options;

    public JobFinishedWebhookConsumerDefinition(IOptions<ProcessingOptions> options)
    {
        _options = options.Value;
        EndpointName = "job-finished-webhooks";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<JobFinishedWebhookConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(_options.EffectiveRetryIntervals));
}

public sealed class BatchCompletedWebhookConsumerDefinition : ConsumerDefinition<BatchCompletedWebhookConsumer>
{
    private readonly ProcessingOptions _options;

    public BatchCompletedWebhookConsumerDefinition(IOptions<ProcessingOptions> options)
    {
        _options = options.Value;
        EndpointName = "batch-completed-webhooks";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<BatchCompletedWebhookConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(_options.EffectiveRetryIntervals));
}
