using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Completion;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

/// <summary>
/// Every path on which a job ends publishes <see cref="JobFinished"/> exactly once, seen through MassTransit's
/// test harness (which replaces the embedded Api's in-memory bus and keeps its consumers).
/// </summary>
public sealed class JobFinishedTests
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Processing:RetryIntervals:0"] = "00:00:00.010",
        ["Processing:RetryIntervals:1"] = "00:00:00.010",
        ["Processing:RetryIntervals:2"] = "00:00:00.010",
        // One message at a time: once a later job has finished, earlier messages have certainly been consumed.
        ["Processing:ConcurrentMessageLimit"] = "1",
    };

    [Fact]
    public async Task A_success_is_announced_once_even_when_its_message_is_delivered_again()
    {
        using var api = HarnessedApi();
        using var client = api.CreateClient();
        var harness = api.Services.GetTestHarness();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        await harness.Bus.Publish(new AnalyzeRecording { JobId = id });   // duplicates of a finished job
        await harness.Bus.Publish(new AnalyzeRecording { JobId = id });
        await FinishMarkerJob(api, client);

        var finished = Assert.Single(FinishedEvents(harness, id));
        Assert.True(finished.Succeeded);
        Assert.Null(finished.ErrorCode);
        Assert.NotNull((await api.ReadJobRowAsync(id)).FinishedPublishedAt);
    }

    [Fact]
    public async Task Rejected_audio_is_announced_once_with_its_error_code()
    {
        using var api = HarnessedApi();
        using var client = api.CreateClient();
        var harness = api.Services.GetTestHarness();

        var id = await api.SubmitAsync(client, GeneratedAudio.Silence(2));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        await FinishMarkerJob(api, client);

        var finished = Assert.Single(FinishedEvents(harness, id));
        Assert.False(finished.Succeeded);
        Assert.Equal("no_speech", finished.ErrorCode);
    }

    [Fact]
    public async Task A_faulted_message_is_announced_once_by_the_fault_consumer()
    {
        using var api = HarnessedApi(services => services.AddSingleton<RecordingStore>(provider =>
            new CountingRecordingStore(Path.Combine(FolderOf(provider), "recordings"), new IOException("disk hiccup"))));
        using var client = api.CreateClient();
        var harness = api.Services.GetTestHarness();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        Assert.Equal("processing_failed", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal("The recording could not be processed; the service will not retry it.", job["error"]!["message"]!.GetValue<string>());
        // The fault consumer publishes after its commit, on its own endpoint: no marker job can wait for it.
        Assert.True(await harness.Published.Any<JobFinished>(m => m.Context.Message.JobId == id));
        var finished = Assert.Single(FinishedEvents(harness, id));
        Assert.Equal("processing_failed", finished.ErrorCode);
    }

    [Fact]
    public async Task A_message_for_a_job_out_of_attempts_fails_it_and_announces_it_once()
    {
        using var api = HarnessedApi();
        using var client = api.CreateClient();
        var harness = api.Services.GetTestHarness();
        var id = await api.SeedAsync(job => job.Attempts = 3);   // MaxAttempts defaults to 3

        await harness.Bus.Publish(new AnalyzeRecording { JobId = id });
        await harness.Bus.Publish(new AnalyzeRecording { JobId = id });
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        await FinishMarkerJob(api, client);

        Assert.Equal("processing_failed", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal("processing_failed", Assert.Single(FinishedEvents(harness, id)).ErrorCode);
    }

    [Fact]
    public async Task The_sweep_announces_the_jobs_it_fails_once()
    {
        using var api = HarnessedApi();
        var harness = api.Services.GetTestHarness();
        var id = await api.SeedAsync(job =>
        {
            job.Status = JobStatus.Processing;
            job.Attempts = 3;
            job.ClaimToken = Guid.NewGuid();
            job.LeaseExpiresAt = DateTime.UtcNow.AddSeconds(-1);
        });

        var first = await SweepOnce(api);
        var second = await SweepOnce(api);

        Assert.Equal(1, first.FailedOutOfAttempts);
        Assert.Equal(new SweepOutcome(0, 0, 0), second);
        Assert.True(await harness.Published.Any<JobFinished>(m => m.Context.Message.JobId == id));
        Assert.Equal("processing_failed", Assert.Single(FinishedEvents(harness, id)).ErrorCode);
    }

    [Fact]
    public async Task The_sweep_announces_a_job_whose_announcement_was_lost_once_it_is_old_enough()
    {
        using var api = HarnessedApi();
        var harness = api.Services.GetTestHarness();
        // What a worker killed between writing the outcome and publishing JobFinished leaves behind.
        var lost = await api.SeedAsync(job => Finished(job, DateTime.UtcNow.AddMinutes(-5)));
        var recent = await api.SeedAsync(job => Finished(job, DateTime.UtcNow));   // its worker may still be publishing

        var first = await SweepOnce(api);
        var second = await SweepOnce(api);

        Assert.Equal(new SweepOutcome(0, 0, 0, RepublishedFinished: 1), first);
        Assert.Equal(new SweepOutcome(0, 0, 0), second);
        Assert.True(await harness.Published.Any<JobFinished>(m => m.Context.Message.JobId == lost));
        var finished = Assert.Single(FinishedEvents(harness, lost));
        Assert.False(finished.Succeeded);
        Assert.Equal("too_short", finished.ErrorCode);
        Assert.Empty(FinishedEvents(harness, recent));
        Assert.NotNull((await api.ReadJobRowAsync(lost)).FinishedPublishedAt);
        Assert.Null((await api.ReadJobRowAsync(recent)).FinishedPublishedAt);
    }

    [Fact]
    public async Task The_emotion_waiter_wakes_on_JobFinished()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();   // starts the host and its bus
        var completion = api.Services.GetRequiredService<JobCompletionSignal>();
        var id = Guid.NewGuid();
        var woken = completion.WhenFinished(id);

        await api.Services.GetRequiredService<IBus>().Publish(new JobFinished { JobId = id, Succeeded = true, FinishedAt = DateTime.UtcNow });

        await woken.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static void Finished(Job job, DateTime at)
    {
        job.Status = JobStatus.Failed;
        job.Attempts = 1;
        job.StartedAt = at;
        job.CompletedAt = at;
        job.ErrorCode = "too_short";
        job.ErrorMessage = "seeded";
    }

    private static EmbeddedApi HarnessedApi(Action<IServiceCollection>? replaceServices = null) =>
        EmbeddedApi.With(FastRetries, services =>
        {
            replaceServices?.Invoke(services);
            // Generous timeouts: on a loaded machine a test may run long after its harness started.
            services.AddMassTransitTestHarness(bus => bus.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(5), testInactivityTimeout: TimeSpan.FromSeconds(5)));
        });

    private static async Task FinishMarkerJob(EmbeddedApi api, HttpClient client) =>
        await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1)));

    private static List<JobFinished> FinishedEvents(ITestHarness harness, Guid jobId) =>
        harness.Published.Select<JobFinished>().Select(m => m.Context.Message).Where(m => m.JobId == jobId).ToList();

    private static async Task<SweepOutcome> SweepOnce(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(CancellationToken.None);
    }

    private static string FolderOf(IServiceProvider provider) =>
        provider.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Storage:DataDirectory"]!;
}
