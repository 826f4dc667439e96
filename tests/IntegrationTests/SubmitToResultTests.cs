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
}
