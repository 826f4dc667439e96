using SpeechEmotion.Persistence.Tenancy;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Webhooks;
using SpeechEmotion.Service.Tests.Infrastructure;
using StandardWebhooks.Diagnostics;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

/// <summary>
/// Deliveries end to end in the embedded Api, to a loopback receiver (private networks allowed, short timings):
/// signed bodies carrying GET /jobs/{id}'s JSON, retries while the receiver is down, 410, dead and re-sent deliveries.
/// Its own collection, run alone: these tests wait on real retries and timeouts, and so do other classes' tests.
/// </summary>
[Collection(nameof(WebhookTimingCollection))]
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task Real_job_is_delivered_signed_with_the_JSON_of_GET_jobs_id_and_a_tampered_body_fails()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        var subscription = await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.succeeded", "job.failed");

        var jobId = await api.SubmitAsync(client, GeneratedAudio.Tone(2));

        var webhook = await receiver.WaitForAsync(r => r.Body.Contains(jobId.ToString()));
        WebhookApi.Verify(subscription.Secret, webhook);
        Assert.Throws<WebhookVerificationException>(() => WebhookApi.Verify(subscription.Secret, webhook, webhook.Body.Replace("\"succeeded\"", "\"failed\"")));
        Assert.Equal("application/json", webhook.Headers.ContentType.ToString().Split(';')[0]);

        var body = JsonNode.Parse(webhook.Body)!.AsObject();
        Assert.Equal(["type", "timestamp", "data"], body.Select(p => p.Key));
        Assert.Equal("job.succeeded", body["type"]!.GetValue<string>());
        var job = await EmbeddedApi.GetJobAsync(client, jobId);
        Assert.True(JsonNode.DeepEquals(job, body["data"]), $"webhook data {body["data"]!.ToJsonString()}\nGET /jobs/{{id}} {job.ToJsonString()}");
        Assert.Equal(job["completedAt"]!.GetValue<DateTime>(), body["timestamp"]!.GetValue<DateTime>());

        var delivery = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(webhook.WebhookId, delivery["id"]!.GetValue<string>());
        Assert.Equal(subscription.Id, delivery["webhookId"]!.GetValue<Guid>());
        var attempt = Assert.Single(delivery["attempts"]!.AsArray())!;
        Assert.Equal(200, attempt["statusCode"]!.GetValue<int>());
        Assert.Equal("receiver answered 200", attempt["responsePrefix"]!.GetValue<string>());
    }

    [Fact]
    public async Task Per_job_callback_of_a_failed_job_is_signed_with_the_callbacks_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        var callbacksSecret = await WebhookApi.RotateSecretAsync(client, "callbacks");

        using var response = await client.PostAsync("/jobs",
            EmbeddedApi.Upload(GeneratedAudio.RandomBytes(4000), "noise.mp3", "audio/mpeg", callbackUrl: receiver.Url("/callback?crm=42")));
        var jobId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();

        var webhook = await receiver.WaitForAsync(r => r.Path == "/callback");
        WebhookApi.Verify(callbacksSecret, webhook);
        var body = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("job.failed", body["type"]!.GetValue<string>());
        Assert.Equal(jobId, body["data"]!["id"]!.GetValue<Guid>());
        Assert.Equal("unsupported_format", body["data"]!["error"]!["code"]!.GetValue<string>());
        var delivery = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal("callback", delivery["target"]!.GetValue<string>());
    }

    [Fact]
    public async Task Receiver_down_for_a_while_gets_the_event_once_it_is_back()
    {
        await using var receiver = WebhookReceiver.Down();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        var subscription = await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.succeeded");
        var jobId = await api.SubmitAsync(client, GeneratedAudio.Tone(1));

        var failing = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["attempts"]!.AsArray().Count >= 3);
        Assert.Equal("pending", failing["status"]!.GetValue<string>());
        Assert.All(failing["attempts"]!.AsArray(), a => Assert.Null(a!["statusCode"]));
        Assert.All(failing["attempts"]!.AsArray(), a => Assert.Contains("ConnectionError", a!["error"]!.GetValue<string>()));
        await receiver.StartAgainAsync();

        var delivered = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(200, delivered["attempts"]!.AsArray()[^1]!["statusCode"]!.GetValue<int>());
        await Task.Delay(500);   // a duplicate would come within a poll or two
        var received = Assert.Single(receiver.Received);
        Assert.Equal(delivered["id"]!.GetValue<string>(), received.WebhookId);
        WebhookApi.Verify(subscription.Secret, received);
    }

    [Fact]
    public async Task Receiver_answering_410_disables_its_subscription()
    {
        await using var gone = await WebhookReceiver.StartAsync();
        gone.Answer = _ => Task.FromResult(410);
        await using var healthy = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        var goneSubscription = await WebhookApi.SubscribeAsync(client, gone.Url(), "job.failed");
        await WebhookApi.SubscribeAsync(client, healthy.Url(), "job.failed");

        var first = await FinishSeededJobAsync(api);
        var dead = await WebhookApi.WaitForDeliveryAsync(client, first,
            d => d["webhookId"]!.GetValue<Guid>() == goneSubscription.Id && d["status"]!.GetValue<string>() == "dead");
        Assert.Equal(410, Assert.Single(dead["attempts"]!.AsArray())!["statusCode"]!.GetValue<int>());
        var subscription = JsonNode.Parse(await client.GetStringAsync($"/webhooks/{goneSubscription.Id}"))!;
        Assert.Equal("disabled", subscription["status"]!.GetValue<string>());

        var second = await FinishSeededJobAsync(api);
        await healthy.WaitForAsync(r => r.Body.Contains(second.ToString()));
        Assert.DoesNotContain(await WebhookApi.DeliveriesAsync(client, second), d => d!["webhookId"]!.GetValue<Guid>() == goneSubscription.Id);
        Assert.Single(gone.Received);
        await (await client.PostAsync($"/deliveries/{dead["id"]}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict, "webhook_disabled");
    }

    [Fact]
    public async Task Delivery_out_of_retries_is_dead_and_can_be_sent_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => Task.FromResult(503);
        using var api = EmbeddedApi.With(WebhookApi.FastSettings(retryFor: TimeSpan.FromSeconds(1.5)));
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.failed");
        var jobId = await FinishSeededJobAsync(api);

        var dead = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "dead");
        var attempts = dead["attempts"]!.AsArray();
        Assert.True(attempts.Count >= 3, dead.ToJsonString());
        Assert.All(attempts, a => Assert.Equal(503, a!["statusCode"]!.GetValue<int>()));
        Assert.True(attempts[^1]!["at"]!.GetValue<DateTime>() - attempts[0]!["at"]!.GetValue<DateTime>() >= TimeSpan.FromSeconds(1.2),
            "the last attempt is made when the retry window ends");

        receiver.Answer = _ => Task.FromResult(204);
        using var retried = await client.PostAsync($"/deliveries/{dead["id"]}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var delivered = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(204, delivered["attempts"]!.AsArray()[^1]!["statusCode"]!.GetValue<int>());
        await (await client.PostAsync($"/deliveries/{dead["id"]}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict, "delivery_not_dead");
    }

    [Fact]
    public async Task A_re_sent_delivery_starts_its_backoff_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => Task.FromResult(500);
        var settings = WebhookApi.FastSettings(retryFor: TimeSpan.FromSeconds(4));
        settings["Webhooks:BackoffMultiplier"] = "10";   // waits 0.2 s, 2 s, then the window's end
        settings["Webhooks:MaxRetryDelay"] = "01:00:00";
        settings["Webhooks:JitterFraction"] = "0";
        using var api = EmbeddedApi.With(settings);
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.failed");
        var jobId = await FinishSeededJobAsync(api);
        var dead = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "dead");
        var attemptsBefore = dead["attempts"]!.AsArray().Count;

        using var retried = await client.PostAsync($"/deliveries/{dead["id"]}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);

        // Fresh: the re-sent attempt at once, the next 0.2 s after it (not the 20 s its fourth wait would have been).
        var again = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["attempts"]!.AsArray().Count >= attemptsBefore + 2,
            TimeSpan.FromSeconds(3));
        var attempts = again["attempts"]!.AsArray();
        var gap = attempts[attemptsBefore + 1]!["at"]!.GetValue<DateTime>() - attempts[attemptsBefore]!["at"]!.GetValue<DateTime>();
        Assert.InRange(gap, TimeSpan.FromSeconds(0.15), TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Duplicate_JobFinished_events_make_one_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.failed");

        var jobId = await FinishSeededJobAsync(api);
        await PublishAsync(api, FinishedEvent(jobId));
        await PublishAsync(api, FinishedEvent(jobId));

        await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");
        await Task.Delay(500);
        Assert.Single(await WebhookApi.DeliveriesAsync(client, jobId));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Deleting_a_job_deletes_its_deliveries_and_their_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.failed");
        var jobId = await FinishSeededJobAsync(api);
        var delivered = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["status"]!.GetValue<string>() == "delivered");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/jobs/{jobId}")).StatusCode);

        await (await client.GetAsync($"/jobs/{jobId}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        await (await client.PostAsync($"/deliveries/{delivered["id"]}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound, "delivery_not_found");
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        Assert.Equal(0, await db.WebhookAttempts.CountAsync());
    }

    [Fact]
    public async Task Slow_receiver_does_not_slow_analysis()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            return 200;
        };
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        await WebhookApi.SubscribeAsync(client, receiver.Url(), "job.succeeded");

        var jobs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            jobs.Add(await api.SubmitAsync(client, GeneratedAudio.Tone(1 + i)));
        }
        foreach (var jobId in jobs)
        {
            var job = await EmbeddedApi.WaitUntilFinishedAsync(client, jobId, TimeSpan.FromSeconds(15));
            Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        }

        // Each delivery timed out after Webhooks:RequestTimeout (1 s) and waits for its retry: none held a job up.
        foreach (var jobId in jobs)
        {
            var delivery = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["attempts"]!.AsArray().Count >= 1);
            Assert.Contains("No answer within 1 s", delivery["attempts"]!.AsArray()[0]!["error"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Name_resolving_to_a_private_address_is_refused_at_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookApi.FastSettings();
        settings["Webhooks:AllowPrivateNetworks"] = "false";
        using var api = EmbeddedApi.With(settings);
        using var client = api.CreateClient();
        // As if a public name had been re-pointed at a private address after its subscription was accepted: the row
        // is written directly, since submission refuses "localhost" by name.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            db.WebhookSubscriptions.Add(new WebhookSubscription
            {
                Id = Guid.CreateVersion7(), TenantId = Tenant.DefaultId, Kind = WebhookSubscriptionKind.Endpoint, Url = $"http://localhost:{receiver.Port}/hook",
                Events = ["job.failed"], Secret = WebhookSecrets.NewSecret(), CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var jobId = await FinishSeededJobAsync(api);

        var refused = await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["attempts"]!.AsArray().Count >= 2);
        Assert.All(refused["attempts"]!.AsArray(), a => Assert.Contains("private", a!["error"]!.GetValue<string>()));
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Batch_completed_is_delivered_to_its_subscribers_only_with_the_batch_as_GET_shows_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());
        using var client = api.CreateClient();
        var subscription = await WebhookApi.SubscribeAsync(client, receiver.Url("/batches"), "batch.completed");
        await WebhookApi.SubscribeAsync(client, receiver.Url("/jobs"), "job.succeeded", "job.failed");

        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client,
            BatchArchives.ArchiveForm(BatchArchives.Zip(BatchArchives.Clips(3)), "calls.zip")));

        var webhook = await receiver.WaitForAsync(r => r.Path == "/batches" && r.Body.Contains(batchId.ToString()));
        WebhookApi.Verify(subscription.Secret, webhook);
        var body = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("batch.completed", body["type"]!.GetValue<string>());
        var shown = await BatchArchives.GetAsync(client, batchId);
        Assert.True(JsonNode.DeepEquals(shown, body["data"]), $"webhook data {body["data"]} differs from GET /batches/{{id}} {shown}");
        Assert.Equal(3, BatchArchives.Count(shown, "succeeded"));
    }

    [Fact]
    public async Task Two_processes_claiming_one_due_delivery_cannot_both_win()
    {
        var settings = WebhookApi.FastSettings();
        settings["Webhooks:PollInterval"] = "01:00:00";   // the Api's own dispatcher stays out of the way
        using var api = EmbeddedApi.With(settings);
        using var client = api.CreateClient();
        var subscription = await WebhookApi.SubscribeAsync(client, "http://127.0.0.1:9/hook", "job.failed");
        var deliveryId = Guid.CreateVersion7();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = deliveryId, SubscriptionId = subscription.Id, EventType = "job.failed", EventKey = "test", Url = "http://127.0.0.1:9/hook",
                Payload = "{}", CreatedAt = DateTime.UtcNow, ScheduleStartedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = api.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<DeliveryLedger>().TryClaimAsync(deliveryId, CancellationToken.None);
        }));

        Assert.Single(claims, c => c is not null);
    }

    /// <summary>A failed job put straight into the database, and its JobFinished published (as the job lifecycle does).</summary>
    private static async Task<Guid> FinishSeededJobAsync(EmbeddedApi api)
    {
        var jobId = await api.SeedAsync(job =>
        {
            job.Status = JobStatus.Failed;
            job.CompletedAt = DateTime.UtcNow;
            job.ErrorCode = "no_speech";
            job.ErrorMessage = "The recording holds no speech.";
        });
        await PublishAsync(api, FinishedEvent(jobId));
        return jobId;
    }

    private static JobFinished FinishedEvent(Guid jobId) =>
        new() { JobId = jobId, Succeeded = false, ErrorCode = "no_speech", FinishedAt = DateTime.UtcNow };

    private static Task PublishAsync<T>(EmbeddedApi api, T message) where T : class =>
        api.Services.GetRequiredService<IBus>().Publish(message);
}

[CollectionDefinition(nameof(WebhookTimingCollection), DisableParallelization = true)]
public sealed class WebhookTimingCollection;
