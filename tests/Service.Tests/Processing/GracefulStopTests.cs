using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

public sealed class GracefulStopTests
{
    [Fact]
    public async Task Stopping_host_hands_a_job_waiting_in_the_injected_delay_back_to_the_queue()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:DelayBeforeAnalysis"] = "00:05:00" });
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await WaitUntilProcessing(api, id);

        // The bus waits for consumers in flight before the host reports itself stopped, so the hand-back is
        // written by now: read once, no polling (a job still processing here is the bug this test is for).
        await api.StopAsync(TimeSpan.FromSeconds(60));
        var row = await api.ReadJobRowAsync(id);

        Assert.Equal(JobStatus.Queued, row.Status);
        Assert.Null(row.ClaimToken);
        Assert.Null(row.LeaseExpiresAt);
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task Embedded_host_stops_within_seconds_with_a_thousand_messages_queued_and_the_jobs_run_after_a_restart()
    {
        const int backlog = 1000;
        // Every analysis takes 100 ms that no stop cuts short: two at a time, working through the backlog on stop would
        // take about 50 s.
        using var first = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:ConcurrentMessageLimit"] = "2" },
            services => services.AddSingleton<RecordingStore>(provider =>
                CountingRecordingStore.InDataDirectoryOf(provider, openDelay: TimeSpan.FromMilliseconds(100))));
        using (first.CreateClient())
        {
        }
        var ids = await first.SeedManyAsync(backlog, job => job.AnalysisPublishedAt = DateTime.UtcNow);   // confirmed by this process's bus
        await first.Services.GetRequiredService<IBus>().PublishBatch(ids.Select(id => new AnalyzeRecording { JobId = id }));

        var stopping = Stopwatch.StartNew();
        await first.StopAsync(TimeSpan.FromMinutes(3));
        stopping.Stop();
        var afterStop = await first.ReadJobRowsAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the host took {stopping.Elapsed.TotalSeconds:F1} s to stop");
        Assert.All(afterStop, job => Assert.Contains(job.Status, new[] { JobStatus.Queued, JobStatus.Succeeded }));
        Assert.All(afterStop.Where(job => job.Status == JobStatus.Queued), job => Assert.Equal(0, job.Attempts));   // left untouched
        Assert.True(afterStop.Count(job => job.Status == JobStatus.Queued) > backlog / 2, "most of the backlog should still be queued");

        // The restart's first sweep publishes all that died with the first process's in-memory queue; each job then runs once.
        using var second = EmbeddedApi.RestartOf(first, new Dictionary<string, string?> { ["Processing:QueuedRepublishAfter"] = "00:00:00.001" });
        var swept = await SweepOnce(second);
        Assert.Equal(afterStop.Count(job => job.Status == JobStatus.Queued), swept.RepublishedQueued);   // all in one pass
        var deadline = DateTime.UtcNow.AddMinutes(2);
        List<Job> rows;
        while ((rows = await second.ReadJobRowsAsync()).Any(job => !job.IsFinished))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{rows.Count(job => !job.IsFinished)} jobs unfinished 2 min after the restart");
            await Task.Delay(250);
        }
        Assert.Equal(backlog, rows.Count(job => job.Status == JobStatus.Succeeded));
        Assert.All(rows, job => Assert.Equal(1, job.Attempts));
    }

    private static async Task<SweepOutcome> SweepOnce(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(CancellationToken.None);
    }

    private static async Task WaitUntilProcessing(EmbeddedApi api, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await api.ReadJobRowAsync(id)).Status != JobStatus.Processing)
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {id} was not claimed within 20 s");
            await Task.Delay(20);
        }
    }
}
