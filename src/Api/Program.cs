using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using SpeechEmotion.Analysis;
using SpeechEmotion.Api.Batches;
using SpeechEmotion.Api.Emotion;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Api.Live;
using SpeechEmotion.Api.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Security;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Api.Webhooks;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Processing.Hosting;
using SpeechEmotion.ServiceDefaults;

if (KeysCommand.Handles(args))
{
    return await KeysCommand.RunAsync(args);   // keys create / list / revoke: no server
}

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;
builder.ListenOnUnlessConfigured("http://localhost:5080");
builder.AddServiceDefaults("speechemotion-api");   // logs, traces, metrics (/metrics)

// Storage first: its migrator is a hosted service that must finish before the bus starts consuming.
builder.Services.AddJobsStorage(configuration, builder.Environment.ContentRootPath);
if (configuration.ReadServiceMode() == ServiceMode.Embedded)
{
    builder.Services.AddJobProcessing(configuration);   // consumer + sweep in this process, in-memory bus
}
else
{
    builder.Services.AddJobPublishing(configuration);   // RabbitMQ; separate Worker processes consume
    // Live streams (/live) are analysed where their WebSocket ends: in the Api, in both modes.
    builder.Services.AddEmotionAnalysis(configuration);
}

builder.Services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName)
    .Validate(uploads => uploads.IsValid, "Uploads: limits must be positive and MinBodyRateGracePeriod over 1 s.")
    .ValidateOnStart();
builder.Services.AddOptions<EmotionOptions>().BindConfiguration(EmotionOptions.SectionName)
    .Validate(emotion => emotion.WaitTimeout > TimeSpan.Zero && emotion.PollInterval > TimeSpan.Zero,
        "Emotion:WaitTimeout and Emotion:PollInterval must be positive.")
    .ValidateOnStart();
// Kestrel's body size limit is only the backstop (UploadReader refuses earlier); its rate and header limits drop
// clients that stall before the upload reader could notice.
builder.Services.AddOptions<KestrelServerOptions>()
    .Configure<IOptions<UploadOptions>>((kestrel, uploads) => uploads.Value.ApplyTo(kestrel.Limits));

builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.SectionName)
    .Validate(live => live.IsValid, "Live: limits must be positive.")
    .ValidateOnStart();
builder.Services.AddSingleton<LiveStreamGate>();
builder.Services.AddSingleton<UploadReader>();
builder.Services.AddHostedService<AbandonedUploadCleanup>();
builder.Services.AddScoped<JobSubmitter>();
builder.Services.AddScoped<JobWaiter>();
builder.Services.AddOptions<BatchOptions>().BindConfiguration(BatchOptions.SectionName)
    .Validate(batches => batches.IsValid, "Batches: MaxArchiveBytes and MaxJobIds must be positive, AllowedFolders absolute paths.")
    .ValidateOnStart();
builder.Services.AddScoped<BatchIntake>();
builder.Services.AddScoped<BatchSources>();

builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    // Problems made by the framework (unknown route, wrong method) get a stable code too.
    context.ProblemDetails.Extensions.TryAdd(ApiProblems.CodeExtension, ApiProblems.DefaultCodeFor(context.ProblemDetails.Status));
    context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
});
builder.Services.AddExceptionHandler<ApiExceptionHandler>();
builder.Services.AddTenantSecurity();   // Auth:Mode, API keys, the caller's tenant, per-key rate limit
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
builder.Services.AddApiDocument();   // /openapi/v1.json: endpoints, forms, problem codes, key schemes

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.UseTenantSecurity();

app.MapOpenApi().AllowAnonymous();                 // /openapi/v1.json
app.MapScalarApiReference().AllowAnonymous();      // /scalar
app.MapGet("/", () => Results.Redirect("/scalar")).ExcludeFromDescription().AllowAnonymous();
app.MapJobEndpoints();
app.MapEmotionEndpoints();
app.MapLiveEndpoints();
app.MapWebhookEndpoints();
app.MapBatchEndpoints();
app.MapServiceHealthChecks();
app.MapServiceDefaults();

return await app.RunUntilStoppedAsync();   // 1 when the port is taken

/// <summary>Visible to WebApplicationFactory in tests.</summary>
public partial class Program;
