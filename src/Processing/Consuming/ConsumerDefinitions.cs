using MassTransit;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Analysis;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Consuming;

/// <summary>Queue name, concurrency and retry policy of the analysis endpoint.</summary>
public sealed class AnalyzeRecordingConsumerDefinition : ConsumerDefinition<AnalyzeRecordingConsumer>
{
    public const string QueueName = "analyze-recording";
    private readonly ProcessingOptions _options;

    public AnalyzeRecordingConsumerDefinition(IOptions<ProcessingOptions> options)
    {
        _options = options.Value;
        EndpointName = QueueName;
        ConcurrentMessageLimit = _options.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AnalyzeRecordingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => RetryTransientFailures(retry, _options));
    }

    /// <summary>
    /// The batch queue: the same consumer and retries on a queue of its own, fed only by Send (it subscribes to no
    /// published message), with Processing:BatchConcurrentMessageLimit messages at once. See <see cref="AnalysisQueues"/>.
    /// </summary>
    public static void ConfigureBatchQueue(IBusRegistrationContext context, IBusFactoryConfigurator transport)
    {
        var options = context.GetRequiredService<IOptions<ProcessingOptions>>().Value;
        transport.ReceiveEndpoint(AnalysisQueues.BatchQueueName, endpoint =>
        {
            endpoint.ConfigureConsumeTopology = false;
            endpoint.ConcurrentMessageLimit = options.BatchConcurrentMessageLimit;
            endpoint.PrefetchCount = options.BatchConcurrentMessageLimit;
            endpoint.ConfigureConsumer<AnalyzeRecordingConsumer>(context);   // with the definition's retries
        });
    }

    /// <summary>Database and bus hiccups are retried; bad audio and missing recordings would fail the same way again.</summary>
    internal static void RetryTransientFailures(IRetryConfigurator retry, ProcessingOptions options)
    {
        retry.Intervals(options.EffectiveRetryIntervals);
        retry.Ignore<AudioRejectedException>();
        retry.Ignore<RecordingMissingException>();
    }
}

public sealed class AnalyzeRecordingFaultConsumerDefinition : ConsumerDefinition<AnalyzeRecordingFaultConsumer>
{
    private readonly ProcessingOptions _options;

    public AnalyzeRecordingFaultConsumerDefinition(IOptions<ProcessingOptions> options)
    {
        _options = options.Value;
        EndpointName = "analyze-recording-fault";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AnalyzeRecordingFaultConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => AnalyzeRecordingConsumerDefinition.RetryTransientFailures(retry, _options));
    }
}

public sealed class BatchProgressConsumerDefinition : ConsumerDefinition<BatchProgressConsumer>
{
    private readonly ProcessingOptions _options;

    public BatchProgressConsumerDefinition(IOptions<ProcessingOptions> options)
    {
        _options = options.Value;
        EndpointName = "batch-progress";
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<BatchProgressConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => AnalyzeRecordingConsumerDefinition.RetryTransientFailures(retry, _options));
    }
}
