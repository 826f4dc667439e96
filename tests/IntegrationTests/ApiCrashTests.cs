using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class ApiCrashTests(TestServers servers)
{
    /// <summary>
    /// Audio, recording and job rows are written in one transaction now, so a killed Api leaves none of them; audio
    /// alone left by an older version (or a crash of the folder store) is removed by the workers' recovery sweep.
    /// </summary>
    [Fact]
    public async Task Recording_without_a_job_is_deleted_by_the_recovery_sweep_and_recordings_with_jobs_stay()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var lost = Guid.NewGuid();
        var young = Guid.NewGuid();
        await system.InsertRecordingWithoutJobAsync(lost, DateTime.UtcNow.AddHours(-1));
        await system.InsertRecordingWithoutJobAsync(young, DateTime.UtcNow.AddHours(1));   // "just written": its job row may follow
        system.StartWorker("worker", new Dictionary<string, string>
        {
            ["Processing:SweepInterval"] = "00:00:01",
            ["Processing:OrphanRecordingAge"] = "00:10:00",
        });
        await system.WaitForListeningWorkersAsync(1);
        var keptJob = await system.WaitForFinishedAsync(await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "speech.wav"));
        var kept = keptJob["recording"]!["id"]!.GetValue<Guid>();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await system.RecordingExistsAsync(lost))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the orphan recording is still there{Environment.NewLine}{system.WorkerOutput()}");
            await Task.Delay(250);
        }
        Assert.True(await system.RecordingExistsAsync(young), "a recording younger than OrphanRecordingAge must stay");
        Assert.True(await system.RecordingExistsAsync(kept), "audio with its recording must stay");
    }
}
