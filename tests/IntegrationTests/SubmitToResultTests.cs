using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class SubmitToResultTests(TestServers servers)
{
    [Fact]
    public async Task Submitted_recording_is_analysed_by_a_worker_process_through_RabbitMq_and_PostgreSql()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var worker = system.StartWorker("worker-a");
        await system.WaitForListeningWorkersAsync(1);

        var id = await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "speech.wav");
        var job = await system.WaitForFinishedAsync(id);

        Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"job ended as {job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
        JobAssertions.AssertValidResult(job);
        var row = await system.ReadJobRowAsync(id);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(worker.Identity, row.WorkerName);
        Assert.False(worker.HasExited, worker.RecentOutput);
    }

    [Fact]
    public async Task A_deleted_job_and_a_rejected_upload_leave_no_audio_in_PostgreSql()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        system.StartWorker("worker-a");
        await system.WaitForListeningWorkersAsync(1);
        var kept = await system.WaitForFinishedAsync(await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "speech.wav"));
        var rejected = await system.WaitForFinishedAsync(await system.SubmitAsync(TestAudio.SilenceWav(seconds: 2), "silence.wav"));
        var id = kept["id"]!.GetValue<Guid>();
        var recordingId = kept["recording"]!["id"]!.GetValue<Guid>();
        var storedBefore = await system.RecordingExistsAsync(recordingId);

        using var deleted = await system.Client.DeleteAsync($"/jobs/{id}");
        using var after = await system.Client.GetAsync($"/jobs/{id}");

        Assert.True(storedBefore, "a finished job's audio is kept until deleted");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, after.StatusCode);
        Assert.False(await system.RecordingExistsAsync(recordingId), "the deleted job's audio is still in recording_audio");
        Assert.Equal("no_speech", rejected["error"]!["code"]!.GetValue<string>());
        Assert.Equal("deleted", rejected["recording"]!["audio"]!.GetValue<string>());
        Assert.False(await system.RecordingExistsAsync(rejected["recording"]!["id"]!.GetValue<Guid>()), "rejected audio is not kept");
    }
}
