using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Processing.Hosting;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.ServiceDefaults;

namespace SpeechEmotion.Worker;

/// <summary>
/// Builds the worker host: the job pipeline (consumer, retries, fault handling, recovery sweep) on RabbitMQ and
/// PostgreSQL, plus /health/live, /health/ready and /metrics. Everything comes from configuration (appsettings.json and
/// environment variables such as ConnectionStrings__Jobs), so N copies can be started side by side.
/// Public so tests can host a worker in-process.
/// </summary>
public static class WorkerApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        // Health endpoints only: a free loopback port unless told otherwise, so N workers can share a machine.
        builder.ListenOnUnlessConfigured("http://127.0.0.1:0");
        builder.AddServiceDefaults("speechemotion-worker");   // logs, traces, metrics (/metrics on the health port)

        builder.Services.AddJobsStorage(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddJobProcessing(builder.Configuration);
        // The worker serves no client requests, but says its Auth:Mode like the Api (distributed default: ApiKeys),
        // so an explicit Open anywhere in a deployment shows in every process's start-up log.
        builder.Services.AddAuthMode();

        var app = builder.Build();
        app.MapServiceHealthChecks();
        app.MapServiceDefaults();
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "Worker {Worker} started in {Mode} mode", WorkerIdentity.Name, app.Configuration.ReadServiceMode()));
        return app;
    }
}
