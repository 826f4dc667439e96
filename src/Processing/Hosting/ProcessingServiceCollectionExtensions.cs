using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpeechEmotion.Analysis;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Completion;
using SpeechEmotion.Processing.Consuming;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Options;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Processing.Retention;
using SpeechEmotion.Processing.Webhooks;
using SpeechEmotion.ServiceDefaults;

namespace SpeechEmotion.Processing.Hosting;

public static class ProcessingServiceCollectionExtensions
{
    public const string BusHealthCheckName = "bus";

    /// <summary>
    /// Everything a process that analyses jobs needs: the analyzer, the consumers (with retry and fault handling),
    /// the recovery sweep and the bus for the configured mode (in-memory when Embedded, RabbitMQ when Distributed).
    /// Both the Worker and the embedded Api call this. Storage must be added first (<c>AddJobsStorage</c>).
    /// </summary>
    public static IServiceCollection AddJobProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEmotionAnalysis(configuration);
        AddPipelineServices(services, configuration);
        services.AddScoped<StuckJobRecovery>();
        services.AddHostedService<RecoverySweep>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName)
            .Validate(o => o.IsValid, "Retention:AudioDays must be a positive number of days (or unset) and Retention:SweepInterval positive.")
            .ValidateOnStart();
        services.AddScoped<AudioRetention>();
        services.AddHostedService<AudioRetentionSweep>();
        AddBus(services, configuration, bus =>
        {
            bus.AddConsumer<AnalyzeRecordingConsumer, AnalyzeRecordingConsumerDefinition>();
            bus.AddConsumer<AnalyzeRecordingFaultConsumer, AnalyzeRecordingFaultConsumerDefinition>();
            bus.AddWebhookConsumers();
            if (configuration.ReadServiceMode() == ServiceMode.Embedded)
            {
                // POST /emotion waits in this process: wake it when its job's JobFinished arrives (the distributed Api
                // listens on a queue of its own: AddJobPublishing).
                bus.AddConsumer<JobFinishedSignalConsumer>();
            }
            bus.AddConsumer<BatchProgressConsumer, BatchProgressConsumerDefinition>();
        }, AnalyzeRecordingConsumerDefinition.ConfigureBatchQueue);
        return services;
    }

    /// <summary>
    /// For a process that only submits jobs (the Api in distributed mode): the bus to publish on, and one consumer, of
    /// <see cref="JobFinished"/> events on a queue of this process's own, which wakes its waiting <c>POST /emotion</c>
    /// requests (see <c>AddBus</c>'s <c>listenForJobFinished</c>).
    /// </summary>
    public static IServiceCollection AddJobPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        AddPipelineServices(services, configuration);
        AddBus(services, configuration, bus => bus.AddConsumer<JobFinishedSignalConsumer>().ExcludeFromConfigureEndpoints(),
            listenForJobFinished: true);
        return services;
    }

    private static void AddPipelineServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessingOptions>().BindConfiguration(ProcessingOptions.SectionName)
            // A renewal slower than the lease would let a live worker's long call look orphaned.
            .Validate(o => o.EffectiveLeaseRenewalInterval > TimeSpan.Zero && o.EffectiveLeaseRenewalInterval < o.LeaseDuration,
                "Processing:LeaseRenewalInterval must be positive and shorter than Processing:LeaseDuration.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<JobCompletionSignal>();
        services.AddSpeechEmotionMetrics();
        services.AddScoped<JobLifecycle>();
        services.AddWebhookDelivery();   // every process sends due webhooks, whichever made them
        services.AddScoped<AnalysisQueues>();
        services.AddScoped<BatchLifecycle>();
        services.AddScoped<BatchReprocessing>();
    }

    /// <param name="listenForJobFinished">
    /// For the distributed Api, whose jobs run in workers: a temporary queue of this process's own (a unique name,
    /// auto-deleted when the process goes) bound to <see cref="JobFinished"/>, so every Api process hears every job's
    /// end and <see cref="JobFinishedSignalConsumer"/> wakes the <c>POST /emotion</c> waiting for it. The queue also
    /// gives the health check, and JobSubmitter's fail-fast check, a broker connection to watch: MassTransit's bus
    /// health reflects its receive endpoints only, so a bus without one says Healthy while RabbitMQ is down.
    /// </param>
    /// <param name="addReceiveEndpoints">Endpoints that ConfigureEndpoints does not make (the batch queue).</param>
    private static void AddBus(IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> addConsumers,
        Action<IBusRegistrationContext, IBusFactoryConfigurator>? addReceiveEndpoints = null, bool listenForJobFinished = false)
    {
        var mode = configuration.ReadServiceMode();
        var rabbitMq = configuration.GetConnectionString("RabbitMq");
        if (mode == ServiceMode.Distributed && string.IsNullOrWhiteSpace(rabbitMq))
        {
            throw new InvalidOperationException("Distributed mode needs ConnectionStrings:RabbitMq (e.g. amqp://guest:guest@localhost:5672/).");
        }

        services.AddSingleton(mode == ServiceMode.Distributed
            ? QueuedMessageDurability.Broker
            : QueuedMessageDurability.InMemorySince(DateTime.UtcNow));
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.DisableUsageTelemetry();   // MassTransit 8.4+ otherwise reports bus usage to its makers
            // /health/ready reports the broker too: a process that cannot reach it gets no traffic.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = BusHealthCheckName;
                health.MinimalFailureStatus = HealthStatus.Unhealthy;
                health.Tags.Add(StorageServiceCollectionExtensions.ReadyTag);
            });
            addConsumers(bus);
            if (mode == ServiceMode.Distributed)
            {
                bus.UsingRabbitMq((context, transport) =>
                {
                    transport.Host(new Uri(rabbitMq!));
                    if (listenForJobFinished)
                    {
                        transport.ReceiveEndpoint(new TemporaryEndpointDefinition("job-finished-signals"),
                            endpoint => endpoint.ConfigureConsumer<JobFinishedSignalConsumer>(context));
                    }
                    transport.ConfigureEndpoints(context);
                    addReceiveEndpoints?.Invoke(context, transport);
                });
                return;
            }
            bus.UsingInMemory((context, transport) =>
            {
                // After ConfigureEndpoints: it leaves out consumers already configured on an endpoint of their own.
                transport.ConfigureEndpoints(context);
                addReceiveEndpoints?.Invoke(context, transport);
            });
        });
    }
}
