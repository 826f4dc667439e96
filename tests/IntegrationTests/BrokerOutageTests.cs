using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using static SpeechEmotion.IntegrationTests.Infrastructure.ServiceUnavailableAssertions;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// RabbitMQ stopped for 18 s and started again, on a private broker (<see cref="PrivateServers"/>). While it is away
/// the Api is not ready and refuses uploads at once (503, nothing stored); once it is back every consumer of every
/// worker is listening again by itself and new work is done without waiting for the recovery sweep.
/// </summary>
public sealed class BrokerOutageTests(PrivateServers servers) : IClassFixture<PrivateServers>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(18);
    private static readonly string[] Queues = ["analyze-recording", "analyze-recording-fault"];

    /// <summary>About 90 s: two broker starts, two workers, 18 s of outage.</summary>
    [Fact]
    [Trait("Duration", "Long")]
    public async Task Broker_outage_makes_the_api_unready_and_refuse_uploads_fast_and_consumers_come_back_by_themselves()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        // The sweep would re-publish a lost job after QueuedRepublishAfter (1 min); the job below must not need it.
        system.StartWorker("worker-1");
        system.StartWorker("worker-2");
        await WaitForConsumersOnEveryQueueAsync(system, 2, TimeSpan.FromSeconds(60));
        await WaitForReadyAsync(system, HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        await servers.RabbitMq.StopAsync();
        var down = Stopwatch.StartNew();
        var readiness = await WaitForReadyAsync(system, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));
        Assert.NotEqual("Healthy", readiness["checks"]!["bus"]!["status"]!.GetValue<string>());
        var refusing = Stopwatch.StartNew();
        using (var upload = await system.PostJobAsync(TestAudio.SpeechLikeWav(seconds: 3), "during-outage.wav"))
        {
            await AssertServiceUnavailableAsync(upload);
        }
        Assert.True(refusing.Elapsed < TimeSpan.FromSeconds(2), $"the refusal took {refusing.Elapsed}");
        Assert.Equal(0, await system.CountJobRowsAsync());
        await Task.Delay(Outage - down.Elapsed);
        await servers.RabbitMq.StartAsync();

        await WaitForReadyAsync(system, HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        await WaitForConsumersOnEveryQueueAsync(system, 2, TimeSpan.FromSeconds(60));
        var afterOutage = Stopwatch.StartNew();
        var id = await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "after-outage.wav");
        var job = await system.WaitForFinishedAsync(id, TimeSpan.FromSeconds(30));
        JobAssertions.AssertValidResult(job);
        Assert.True(afterOutage.Elapsed < TimeSpan.FromSeconds(30), $"the first job after the outage took {afterOutage.Elapsed}");
    }

    /// <summary>Both queues (jobs and faults) have <paramref name="count"/> consumers: every worker listens on each.</summary>
    private static async Task WaitForConsumersOnEveryQueueAsync(DistributedSystem system, int count, TimeSpan timeout)
    {
        foreach (var queue in Queues)
        {
            await system.Sandbox.WaitForConsumersAsync(count, timeout, queue);
        }
    }

    private static async Task<JsonNode> WaitForReadyAsync(DistributedSystem system, HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await system.Client.GetAsync("/health/ready");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected) return JsonNode.Parse(body)!;
            if (DateTime.UtcNow > deadline) Assert.Fail($"/health/ready still {(int)response.StatusCode} after {timeout}: {body}");
            await Task.Delay(250);
        }
    }
}
