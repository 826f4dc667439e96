using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

/// <summary>Each test has its own database, so the sweep's counts are exactly the seeded jobs.</summary>
public sealed class RecoverySweepTests
{
    [Fact]
    public async Task Processing_job_past_its_lease_is_requeued_republished_and_finished()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var orphan = await api.SeedAsync(job =>
        {
            job.Status = JobStatus.Processing;
            job.Attempts = 1;
            job.ClaimToken = Guid.NewGuid();             // the dead worker's claim
            job.WorkerName = "dead-host:1";
            job.LeaseExpiresAt = DateTime.UtcNow.AddMinutes(-1);
        });
        var healthy = await api.SeedAsync(job =>
        {
            job.Status = JobStatus.Processing;
            job.Attempts = 1;
            job.ClaimToken = Guid.NewGuid();
            job.LeaseExpiresAt = DateTime.UtcNow.AddHours(1);   // someone is still on it
        });

        var outcome = await SweepOnce(api);
        var rescued = await EmbeddedApi.WaitUntilFinishedAsync(client, orphan);

        Assert.Equal(new SweepOutcome(RepublishedQueued: 0, RequeuedExpired: 1, FailedOutOfAttempts: 0), outcome);
        Assert.Equal("succeeded", rescued["status"]!.GetValue<string>());
        var row = await api.ReadJobRowAsync(orphan);
        Assert.Equal(2, row.Attempts);
        Assert.NotEqual("dead-host:1", row.WorkerName);
        Assert.Equal(JobStatus.Processing, (await api.ReadJobRowAsync(healthy)).Status);
    }

    [Fact]
    public async Task Job_queued_too_long_is_republished_once()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var stuck = await api.SeedAsync(job => job.LastPublishedAt = DateTime.UtcNow.AddMinutes(-10));   // its message was lost
        var fresh = await api.SeedAsync(job => job.LastPublishedAt = DateTime.UtcNow.AddHours(1));

        var first = await SweepOnce(api);
        var rescued = await EmbeddedApi.WaitUntilFinishedAsync(client, stuck);
        var second = await SweepOnce(api);

        Assert.Equal(new SweepOutcome(RepublishedQueued: 1, RequeuedExpired: 0, FailedOutOfAttempts: 0), first);
        Assert.Equal(new SweepOutcome(0, 0, 0), second);
        Assert.Equal("succeeded", rescued["status"]!.GetValue<string>());
        Assert.Equal(1, (await api.ReadJobRowAsync(stuck)).Attempts);
        Assert.Equal(JobStatus.Queued, (await api.ReadJobRowAsync(fresh)).Status);
    }

    [Fact]
    public async Task Queued_job_whose_message_was_confirmed_in_this_process_is_not_republished_however_long_it_waits()
    {
        // A long queue under load: every message confirmed, none lost. Re-publishing them would double the backlog.
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var waiting = await api.SeedAsync(job =>
        {
            job.LastPublishedAt = DateTime.UtcNow.AddMinutes(-10);
            job.AnalysisPublishedAt = DateTime.UtcNow;   // confirmed by this process's bus
        });

        var outcome = await SweepOnce(api);

        Assert.Equal(new SweepOutcome(0, 0, 0), outcome);
        Assert.Equal(JobStatus.Queued, (await api.ReadJobRowAsync(waiting)).Status);
    }

    [Fact]
    public async Task Queued_job_confirmed_by_an_earlier_process_in_memory_bus_is_republished()
    {
        // Embedded mode: the in-memory queue of the process that confirmed it is gone.
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var lost = await api.SeedAsync(job =>
        {
            job.LastPublishedAt = DateTime.UtcNow.AddMinutes(-10);
            job.AnalysisPublishedAt = DateTime.UtcNow.AddMinutes(-10);
        });

        var outcome = await SweepOnce(api);
        var rescued = await EmbeddedApi.WaitUntilFinishedAsync(client, lost);

        Assert.Equal(new SweepOutcome(RepublishedQueued: 1, RequeuedExpired: 0, FailedOutOfAttempts: 0), outcome);
        Assert.Equal("succeeded", rescued["status"]!.GetValue<string>());
        Assert.NotNull((await api.ReadJobRowAsync(lost)).AnalysisPublishedAt);
    }

    [Fact]
    public async Task Queued_job_lost_with_an_earlier_process_in_memory_bus_is_republished_without_waiting()
    {
        // A restarted embedded service: its queue died with the process before, so waiting QueuedRepublishAfter gains nothing.
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:QueuedRepublishAfter"] = "01:00:00" });
        using var client = api.CreateClient();
        var lost = await api.SeedAsync(job =>
        {
            job.LastPublishedAt = DateTime.UtcNow.AddMinutes(-10);
            job.AnalysisPublishedAt = DateTime.UtcNow.AddMinutes(-10);
        });
        var unconfirmed = await api.SeedAsync(job => job.LastPublishedAt = DateTime.UtcNow.AddMinutes(-10));   // may still be confirmed: waits

        var outcome = await SweepOnce(api);
        var rescued = await EmbeddedApi.WaitUntilFinishedAsync(client, lost);

        Assert.Equal(new SweepOutcome(RepublishedQueued: 1, RequeuedExpired: 0, FailedOutOfAttempts: 0), outcome);
        Assert.Equal("succeeded", rescued["status"]!.GetValue<string>());
        Assert.Equal(JobStatus.Queued, (await api.ReadJobRowAsync(unconfirmed)).Status);
    }

    [Fact]
    public async Task Expired_job_out_of_attempts_is_failed_with_processing_failed()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:MaxAttempts"] = "3" });
        using var client = api.CreateClient();
        var doomed = await api.SeedAsync(job =>
        {
            job.Status = JobStatus.Processing;
            job.Attempts = 3;
            job.ClaimToken = Guid.NewGuid();
            job.LeaseExpiresAt = DateTime.UtcNow.AddSeconds(-1);
        });

        var outcome = await SweepOnce(api);
        var job = await EmbeddedApi.GetJobAsync(client, doomed);

        Assert.Equal(new SweepOutcome(0, 0, FailedOutOfAttempts: 1), outcome);
        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("processing_failed", job["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Recording_without_a_job_is_deleted_once_it_is_old_enough()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:OrphanRecordingAge"] = "00:10:00" });
        using var client = api.CreateClient();
        var keptJob = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1)));
        var kept = keptJob["recording"]!["id"]!.GetValue<Guid>();
        var recordings = Path.Combine(api.DataDirectory, "recordings");
        // What an Api killed between writing the audio and writing the job leaves behind, an hour ago and just now.
        var orphan = WriteRecording(recordings, $"{Guid.NewGuid():N}.audio", DateTime.UtcNow.AddHours(-1));
        var half = WriteRecording(recordings, $"{Guid.NewGuid():N}.audio.partial", DateTime.UtcNow.AddHours(-1));
        var inFlight = WriteRecording(recordings, $"{Guid.NewGuid():N}.audio", DateTime.UtcNow);
        File.SetLastWriteTimeUtc(Path.Combine(recordings, $"{kept:N}.audio"), DateTime.UtcNow.AddHours(-1));

        var outcome = await SweepOnce(api);

        Assert.Equal(new SweepOutcome(0, 0, 0, DeletedOrphanRecordings: 2), outcome);
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(half));
        Assert.True(File.Exists(inFlight), "a recording younger than OrphanRecordingAge may still get its job row");
        Assert.True(File.Exists(Path.Combine(recordings, $"{kept:N}.audio")), "audio with its recording row must stay");
    }

    [Fact]
    public async Task A_job_handed_back_by_a_stopping_worker_is_republished_though_its_first_publish_was_confirmed()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:QueuedRepublishAfter"] = "00:00:00.001" });
        using var client = api.CreateClient();
        // Published and confirmed by this very process: the sweep leaves such a job to its queue...
        var id = await api.SeedAsync(job => job.AnalysisPublishedAt = DateTime.UtcNow);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var lifecycle = scope.ServiceProvider.GetRequiredService<SpeechEmotion.Processing.Jobs.JobLifecycle>();
            var claim = await lifecycle.TryClaimAsync(id, Guid.NewGuid(), CancellationToken.None);
            // ...but a worker consumed that message and handed the job back: nothing is queued for it any more.
            Assert.True(await lifecycle.ReleaseAsync(claim!, CancellationToken.None));
        }
        await Task.Delay(10);

        var outcome = await SweepOnce(api);

        Assert.Equal(1, outcome.RepublishedQueued);
        Assert.Equal("succeeded", (await EmbeddedApi.WaitUntilFinishedAsync(client, id))["status"]!.GetValue<string>());
    }

    private static string WriteRecording(string folder, string name, DateTime writtenAt)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, writtenAt);
        return path;
    }

    private static async Task<SweepOutcome> SweepOnce(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(CancellationToken.None);
    }
}
