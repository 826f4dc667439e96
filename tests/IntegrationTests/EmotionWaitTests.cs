using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.TestSupport.Http;
using SpeechEmotion.TestSupport.Waiting;
using Xunit.Abstractions;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// Distributed POST /emotion: the job runs in a worker, and the Api hears its JobFinished on a temporary queue of its
/// own, so the answer comes when the job ends, not at the waiter's next poll of the database.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class EmotionWaitTests(TestServers servers, ITestOutputHelper output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Answer_arrives_when_the_worker_finishes_the_job_well_before_the_next_poll()
    {
        await using var system = await DistributedSystem.StartAsync(servers, new Dictionary<string, string?>
        {
            ["Emotion:PollInterval"] = PollInterval.ToString("c"),
            ["Emotion:WaitTimeout"] = "00:01:00",
        });

        // A worker makes the (durable) analysis queue and goes: the request then waits with no worker running, so its
        // first read of the job (right after submitting) sees it queued and, without the event, its next look comes a
        // whole poll interval later.
        system.StartWorker("queue-maker");
        await system.WaitForListeningWorkersAsync(1);
        system.Workers[0].Kill();
        var clock = Stopwatch.StartNew();
        using var form = JobUpload.Form(TestAudio.SpeechLikeWav(seconds: 2), "speech.wav", "audio/wav", []);
        var answering = system.Client.PostAsync("/emotion", form);
        await Eventually.HoldsAsync(async () => await system.CountJobRowsAsync() == 1, TimeSpan.FromSeconds(30), () => "the job row never appeared");
        await Task.Delay(TimeSpan.FromSeconds(1));
        system.StartWorker("worker-a");

        using var response = await answering;
        var answeredAt = DateTime.UtcNow;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"POST /emotion answered {(int)response.StatusCode} after {clock.Elapsed}: {body}{Environment.NewLine}{system.WorkerOutput()}");
        Assert.NotNull(JsonNode.Parse(body)!["emotion"]);
        var delay = answeredAt - await system.ReadLastCompletedAtAsync();   // the answer carries no job id: the one job
        output.WriteLine($"POST /emotion took {clock.Elapsed.TotalMilliseconds:F0} ms (worker started after the request); " +
            $"answered {delay.TotalMilliseconds:F0} ms after the worker finished the job; poll interval {PollInterval.TotalSeconds} s");

        // Polling alone would have answered about a poll interval after the first read, many seconds after the job ended.
        Assert.True(delay < TimeSpan.FromSeconds(2), $"answered {delay} after the job ended (poll interval {PollInterval})");
    }
}
