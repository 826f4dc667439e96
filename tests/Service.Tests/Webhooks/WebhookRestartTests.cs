using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

/// <summary>
/// Deliveries are rows, not in-memory work: the real Api process killed in the middle of a delivery's retries (one
/// attempt in flight, its claim left behind), and started again on the same data, still delivers the event, once.
/// </summary>
[Collection(nameof(WebhookTimingCollection))]
public sealed class WebhookRestartTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly TempFolder _dataDirectory = new("speech-emotion-webhooks-");

    public void Dispose() => _dataDirectory.Dispose();

    [Fact]
    public async Task Api_killed_during_the_retries_delivers_after_its_restart_once_per_delivery_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => Task.FromResult(503);
        var port = ServiceProcess.FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        WebhookApi.Subscription subscription;
        Guid jobId;
        await using (var first = await StartApiAsync(port))
        {
            subscription = await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.succeeded");
            using var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1)));
            jobId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
            await receiver.WaitForAsync(_ => receiver.Received.Count >= 2);

            // The next attempt hangs in the receiver while the process is killed: its claim stays in the row.
            var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            receiver.Answer = async _ =>
            {
                inFlight.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(2));
                return 503;
            };
            await inFlight.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }   // killed (SIGKILL), mid-request
        receiver.Answer = _ => Task.FromResult(200);

        await using var second = await StartApiAsync(port);
        var delivered = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");

        await Task.Delay(TimeSpan.FromSeconds(1));   // a duplicate would come within a few polls
        var accepted = receiver.Received.Where(r => r.AnsweredWith == 200).ToList();
        var webhook = Assert.Single(accepted);
        Assert.Equal(delivered["id"]!.GetValue<string>(), webhook.WebhookId);
        Assert.All(receiver.Received, r => Assert.Equal(webhook.WebhookId, r.WebhookId));   // the same id on every attempt
        WebhookApi.Verify(subscription.Secret, webhook);
        var attempts = delivered["attempts"]!.AsArray();
        Assert.True(attempts.Count >= 3, delivered.ToJsonString());
        Assert.Equal(503, attempts[0]!["statusCode"]!.GetValue<int>());
        Assert.Equal(200, attempts[^1]!["statusCode"]!.GetValue<int>());
    }

    private async Task<ServiceProcess> StartApiAsync(int port)
    {
        var environment = WebhookApi.FastSettings().ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value!);
        environment["SpeechEmotion__Mode"] = "Embedded";
        environment["Storage__DataDirectory"] = _dataDirectory.Root;
        var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, environment, $"--Urls=http://127.0.0.1:{port}");
        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/ready", StartTimeout);
        return api;
    }
}
