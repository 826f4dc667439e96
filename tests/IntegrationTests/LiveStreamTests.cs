using System.Net.WebSockets;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// /live in the distributed mode: the Api analyses the stream itself (workers only run jobs), and a recorded stream
/// becomes a job that a worker process finishes through RabbitMQ and PostgreSQL with the summary's answer.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class LiveStreamTests(TestServers servers)
{
    [Fact]
    public async Task A_recorded_live_stream_is_analysed_by_the_api_and_its_job_by_a_worker()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        system.StartWorker("worker-live");
        await system.WaitForListeningWorkersAsync(1);
        var call = Path.Combine(Path.GetTempPath(), $"integration-live-{Guid.NewGuid():N}.wav");
        GeneratedCalls.WriteStereoMuLaw(call, repeats: 1);
        var wav = await File.ReadAllBytesAsync(call);
        File.Delete(call);

        await using var client = await LiveStreamClient.ConnectAsync(system.Client.BaseAddress!, $"record=true&key={Uri.EscapeDataString(system.ApiKey)}");
        await client.StreamTwilioAsync(wav, ["outbound", "inbound"]);
        var transcript = await client.TranscriptAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, transcript.CloseStatus);
        Assert.Single(transcript.Emotions("inbound"));
        Assert.Single(transcript.Emotions("outbound"));
        var summary = transcript.Summary!;
        var job = await system.WaitForFinishedAsync(Guid.Parse(summary["jobId"]!.GetValue<string>()));
        Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"job ended as {job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
        Assert.Equal(summary["result"]!["emotion"]!.GetValue<string>(), job["result"]!["emotion"]!.GetValue<string>());
        Assert.Equal(summary["result"]!["call"]!.ToJsonString(), job["result"]!["call"]!.ToJsonString());
        Assert.Equal("live.wav", job["recording"]!["fileName"]!.GetValue<string>());
    }
}
