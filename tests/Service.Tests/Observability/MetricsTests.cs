using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Observability;

/// <summary>
/// OpenTelemetry's meter provider listens to every meter of a name in the process, whichever host made it, so
/// counting tests must not share the process with other hosts running jobs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneInProcess
{
    public const string Name = "Alone in the process (process-wide meters)";
}

[Collection(AloneInProcess.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_a_succeeded_and_a_failed_job_with_their_labels()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();

        var good = await api.SubmitAsync(client, GeneratedAudio.Tone(2));
        var silent = await api.SubmitAsync(client, GeneratedAudio.Silence(1));
        Assert.Equal("succeeded", (await EmbeddedApi.WaitUntilFinishedAsync(client, good))["status"]!.GetValue<string>());
        Assert.Equal("no_speech", (await EmbeddedApi.WaitUntilFinishedAsync(client, silent))["error"]!["code"]!.GetValue<string>());
        var scrape = await PrometheusScrape.WaitUntilAsync(client, s => s.Value("speechemotion_jobs_completed_total") >= 2);

        Assert.Equal(2, scrape.Value("speechemotion_jobs_accepted_total"));
        Assert.Equal(2, scrape.Value("speechemotion_jobs_completed_total"));
        Assert.Equal(1, scrape.Value("speechemotion_jobs_completed_total", ("status", "succeeded"), ("code", "none")));
        Assert.Equal(1, scrape.Value("speechemotion_jobs_completed_total", ("status", "failed"), ("code", "no_speech")));
        Assert.Equal(2, scrape.Value("speechemotion_job_queue_wait_seconds_count"));
        Assert.Equal(1, scrape.Value("speechemotion_job_processing_duration_seconds_count", ("status", "succeeded")));
        Assert.Equal(1, scrape.Value("speechemotion_job_processing_duration_seconds_count", ("status", "failed")));
        // Only the tone reached the model; silence is refused before it.
        Assert.Equal(1, scrape.Value("speechemotion_inference_duration_seconds_count"));
        Assert.InRange(scrape.Value("speechemotion_inference_duration_seconds_sum")!.Value, 1e-6, 10);
        Assert.Equal(1, scrape.Value("speechemotion_inference_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(2.0, scrape.Value("speechemotion_audio_analysed_seconds_total")!.Value, 3);
        // No webhook subscribed: no delivery attempt, so the webhook counter is absent.
        Assert.DoesNotContain("speechemotion_webhook", scrape.Text);
        // ASP.NET Core's meter is wired in too. (MassTransit's is not checked here: MassTransit creates its instruments
        // once per process, on the first host's meter factory, so in a test process they die with that host.)
        Assert.NotNull(scrape.Value("http_server_request_duration_seconds_count", ("http_route", "/jobs/")));
    }

    [Fact]
    public async Task A_job_failed_after_retries_counts_as_processing_failed()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?>
        {
            ["Processing:RetryIntervals:0"] = "00:00:00.010",
            ["Processing:RetryIntervals:1"] = "00:00:00.010",
            ["Processing:RetryIntervals:2"] = "00:00:00.010",
        }, services => services.AddSingleton<RecordingStore>(provider => new CountingRecordingStore(
            Path.Combine(provider.GetRequiredService<IConfiguration>()["Storage:DataDirectory"]!, "recordings"), new IOException("disk hiccup"))));
        using var client = api.CreateClient();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        Assert.Equal("processing_failed", (await EmbeddedApi.WaitUntilFinishedAsync(client, id))["error"]!["code"]!.GetValue<string>());
        var scrape = await PrometheusScrape.WaitUntilAsync(client, s => s.Value("speechemotion_jobs_completed_total") >= 1);

        Assert.Equal(1, scrape.Value("speechemotion_jobs_completed_total", ("status", "failed"), ("code", "processing_failed")));
        Assert.Equal(1, scrape.Value("speechemotion_jobs_completed_total"));
        Assert.Null(scrape.Value("speechemotion_inference_duration_seconds_count"));
    }

    [Fact]
    public async Task Jobs_the_recovery_sweep_fails_count_as_processing_failed()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:MaxAttempts"] = "3" });
        using var client = api.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            await api.SeedAsync(job =>
            {
                job.Status = JobStatus.Processing;
                job.Attempts = 3;
                job.ClaimToken = Guid.NewGuid();
                job.LeaseExpiresAt = DateTime.UtcNow.AddSeconds(-1);
            });
        }

        await using (var scope = api.Services.CreateAsyncScope())
        {
            Assert.Equal(2, (await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(CancellationToken.None)).FailedOutOfAttempts);
        }
        var scrape = await PrometheusScrape.WaitUntilAsync(client, s => s.Value("speechemotion_jobs_completed_total") >= 2);

        Assert.Equal(2, scrape.Value("speechemotion_jobs_completed_total", ("status", "failed"), ("code", "processing_failed")));
        Assert.Null(scrape.Value("speechemotion_jobs_accepted_total"));   // seeded, never uploaded
    }

    [Fact]
    public async Task Webhook_attempts_count_by_outcome()
    {
        await using var flaky = await WebhookReceiver.StartAsync();
        var answers = 0;
        flaky.Answer = _ => Task.FromResult(Interlocked.Increment(ref answers) == 1 ? 503 : 200);
        await using var gone = await WebhookReceiver.StartAsync();
        gone.Answer = _ => Task.FromResult(410);
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, flaky.Url(), "job.succeeded");
        await WebhookApi.SubscribeAsync(client, gone.Url(), "job.succeeded");

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await WebhookApi.WaitForDeliveryAsync(client, id, d => d["status"]!.GetValue<string>() == "delivered");
        var scrape = await PrometheusScrape.WaitUntilAsync(client, s => s.Value("speechemotion_webhook_deliveries_total") >= 3);

        Assert.Equal(1, scrape.Value("speechemotion_webhook_deliveries_total", ("outcome", "retrying")));
        Assert.Equal(1, scrape.Value("speechemotion_webhook_deliveries_total", ("outcome", "delivered")));
        Assert.Equal(1, scrape.Value("speechemotion_webhook_deliveries_total", ("outcome", "gone")));
        Assert.Equal(3, scrape.Value("speechemotion_webhook_deliveries_total"));
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off()
    {
        using var api = new EmbeddedApi();

        Assert.False(api.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
