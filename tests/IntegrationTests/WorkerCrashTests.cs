using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class WorkerCrashTests(TestServers servers)
{
    [Fact]
    public async Task Job_of_a_worker_killed_mid_analysis_is_completed_by_another_worker()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        // The first worker claims the job, then dawdles long enough for us to kill it mid-job.
        var doomed = system.StartWorker("worker-doomed", new Dictionary<string, string>
        {
            ["Processing:DelayBeforeAnalysis"] = "00:00:30",
            ["Processing:LeaseDuration"] = "00:00:03",
            ["Processing:SweepInterval"] = "00:00:01",
        });
        await system.WaitForListeningWorkersAsync(1);

        var id = await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "speech.wav");
        await system.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "processing");
        var claimedBy = (await system.ReadJobRowAsync(id)).WorkerName;
        doomed.Kill();

        var rescuer = system.StartWorker("worker-rescuer", new Dictionary<string, string>
        {
            ["Processing:LeaseDuration"] = "00:00:03",
            ["Processing:SweepInterval"] = "00:00:01",
            ["Processing:QueuedRepublishAfter"] = "00:00:02",
        });
        var job = await system.WaitForFinishedAsync(id, TimeSpan.FromSeconds(90));

        Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"job ended as {job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
        JobAssertions.AssertValidResult(job);
        var row = await system.ReadJobRowAsync(id);
        Assert.Equal(doomed.Identity, claimedBy);
        Assert.Equal(rescuer.Identity, row.WorkerName);
        Assert.True(row.Attempts >= 2, $"expected the killed attempt to be counted; attempts = {row.Attempts}");
    }

    [Fact]
    public async Task A_long_call_keeps_its_lease_while_analysed_and_is_finished_once_by_another_worker_after_a_kill()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var settings = new Dictionary<string, string>
        {
            ["Processing:LeaseDuration"] = "00:00:03",   // renewed every 0.75 s while analysing
            ["Processing:SweepInterval"] = "00:00:01",
            ["Processing:QueuedRepublishAfter"] = "00:00:02",
        };
        var doomed = system.StartWorker("worker-doomed", settings);
        await system.WaitForListeningWorkersAsync(1);
        var call = Path.Combine(Path.GetTempPath(), $"integration-call-{Guid.NewGuid():N}.wav");
        Service.Tests.Infrastructure.GeneratedCalls.WriteStereoMuLaw(call, repeats: 150);   // 30 minutes
        var id = await system.SubmitAsync(await File.ReadAllBytesAsync(call), "call.wav");
        File.Delete(call);

        await system.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "processing");
        await Task.Delay(TimeSpan.FromSeconds(5));   // longer than the lease: only renewals keep the claim
        var midway = await system.ReadJobRowAsync(id);
        doomed.Kill();
        var rescuer = system.StartWorker("worker-rescuer", settings);
        var job = await system.WaitForFinishedAsync(id, TimeSpan.FromSeconds(180));

        Assert.Equal(new JobRow("Processing", 1, doomed.Identity), midway);
        Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"job ended as {job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
        var row = await system.ReadJobRowAsync(id);
        Assert.Equal(rescuer.Identity, row.WorkerName);
        Assert.Equal(2, row.Attempts);   // the killed claim and the rescuer's: finished once
        Assert.Equal(1800, job["result"]!["audio"]!["durationSeconds"]!.GetValue<double>(), 1);
    }
}
