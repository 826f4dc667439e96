using System.Text.Json.Nodes;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// Webhooks in the distributed deployment: JobFinished crosses RabbitMQ to the workers, the deliveries are PostgreSQL
/// rows, and the Api and two workers all dispatch them, claiming each attempt with a conditional update.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class WebhookDeliveryTests(TestServers servers)
{
    private const int JobCount = 10;

    [Fact]
    public async Task Api_and_two_workers_deliver_each_jobs_webhook_signed_and_once_despite_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var firstAnswers = 0;
        // The first answers are 503: those deliveries are retried by whichever of the three processes claims them.
        receiver.Answer = _ => Task.FromResult(Interlocked.Increment(ref firstAnswers) <= JobCount ? 503 : 200);
        await using var system = await DistributedSystem.StartAsync(servers, WebhookApi.FastSettings());
        system.StartWorker("worker-a");
        system.StartWorker("worker-b");
        await system.WaitForListeningWorkersAsync(2);
        var subscription = await WebhookApi.SubscribeAsync(system.Client, receiver.Url(), "job.succeeded", "job.failed");

        var ids = new List<Guid>();
        for (var i = 0; i < JobCount; i++)
        {
            ids.Add(await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 1.5, seed: i), $"clip-{i}.wav"));
        }
        foreach (var id in ids)
        {
            await WebhookApi.WaitForDeliveryAsync(system.Client, id, d => d["status"]!.GetValue<string>() == "delivered", TimeSpan.FromSeconds(120));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));   // a duplicate would come within a few polls
        var accepted = receiver.Received.Where(r => r.AnsweredWith == 200).ToList();
        Assert.Equal(JobCount, accepted.Count);
        Assert.Equal(JobCount, accepted.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal(ids.Order(), accepted.Select(r => JsonNode.Parse(r.Body)!["data"]!["id"]!.GetValue<Guid>()).Order());
        Assert.All(accepted, webhook => WebhookApi.Verify(subscription.Secret, webhook));
        Assert.True(receiver.Received.Count > JobCount, "some deliveries were retried");
    }
}
