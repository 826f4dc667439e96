using System.Net.Http;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SpeechEmotion.Processing.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// What every process needs to send webhooks: options, the guarded HTTP client, the ledger and the dispatcher
    /// (a hosted service: the Api and every worker send whatever is due). Storage must be added first.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.IsValid, "Webhooks: delays, timeouts and concurrency must be positive, JitterFraction in [0, 1), ClaimDuration longer than RequestTimeout.")
            .ValidateOnStart();
        services.AddHttpClient(WebhookSender.ClientName).ConfigurePrimaryHttpMessageHandler(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
            return new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,   // a proxy would be the address connected to, and hide the receiver's
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectCallback = (context, token) => WebhookAddressRules.ConnectAsync(context, options.AllowPrivateNetworks, token),
            };
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new RetrySchedule(provider.GetRequiredService<IOptions<WebhookOptions>>().Value, Random.Shared));
        services.AddSingleton<WebhookDispatchSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddScoped<DeliveryLedger>();
        services.AddScoped<WebhookDeliveryPlanner>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    /// <summary>The consumers that turn JobFinished and BatchCompleted into deliveries (processes that consume jobs).</summary>
    public static void AddWebhookConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<JobFinishedWebhookConsumer, JobFinishedWebhookConsumerDefinition>();
        bus.AddConsumer<BatchCompletedWebhookConsumer, BatchCompletedWebhookConsumerDefinition>();
    }
}
