using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Webhooks;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// Distributed mode's default is Auth:Mode=ApiKeys for the Api and the workers; it runs open only when told so in so
/// many words. Tenants are kept apart in PostgreSQL as in SQLite, and each has one callbacks secret.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class TenantTests(TestServers servers)
{
    [Fact]
    public async Task Distributed_default_needs_a_key_and_keeps_tenants_apart()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var worker = system.StartWorker("worker");
        await system.WaitForListeningWorkersAsync(1);

        using (var keyless = system.CreateClientWithoutKey())
        using (var refused = await keyless.PostAsync("/jobs", Upload(TestAudio.SpeechLikeWav(seconds: 1))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("missing_api_key", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        }

        var jobOfIntegration = await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "speech.wav");
        var finished = await system.WaitForFinishedAsync(jobOfIntegration);
        Assert.True(DistributedSystem.StatusOf(finished) == "succeeded", $"{finished.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");

        using var other = system.CreateClientWithoutKey();
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await system.CreateApiKeyAsync("other-tenant"));
        using var hidden = await other.GetAsync($"/jobs/{jobOfIntegration}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("job_not_found", JsonNode.Parse(await hidden.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());

        Assert.Contains("Auth:Mode is ApiKeys", worker.RecentOutput);
    }

    [Fact]
    public async Task Distributed_runs_open_only_when_auth_mode_open_is_set_explicitly()
    {
        var open = new Dictionary<string, string> { ["Auth:Mode"] = "Open" };
        await using var system = await DistributedSystem.StartAsync(servers, apiSettings: open);
        var worker = system.StartWorker("worker", open);
        await system.WaitForListeningWorkersAsync(1);

        using var keyless = system.CreateClientWithoutKey();
        using var accepted = await keyless.PostAsync("/jobs", Upload(TestAudio.SpeechLikeWav(seconds: 1)));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Contains("Auth:Mode is Open", worker.RecentOutput);
    }

    [Fact]
    public async Task A_tenant_callbacks_row_made_from_many_scopes_at_once_is_one_row_in_PostgreSql()
    {
        await using var system = await DistributedSystem.StartAsync(servers);   // the sandbox database, migrated
        var options = new DbContextOptionsBuilder<PostgresJobsDbContext>().UseNpgsql(system.Sandbox.JobsConnectionString).Options;

        // What jobs of one tenant ending at once in several workers do: all look for the row before any has made it.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ensuring = Enumerable.Range(0, 16).Select(async _ =>
        {
            await using var db = new PostgresJobsDbContext(options);
            await db.Database.OpenConnectionAsync();
            await go.Task;
            return (await JobCallbacksSubscription.EnsureAsync(db, Tenant.DefaultId, DateTime.UtcNow, CancellationToken.None)).Subscription.Id;
        }).ToList();
        await Task.Delay(200);
        go.SetResult();
        var ids = await Task.WhenAll(ensuring);

        Assert.Single(ids.Distinct());
        await using var check = new PostgresJobsDbContext(options);
        Assert.Equal(1, await check.WebhookSubscriptions.CountAsync(s => s.Kind == WebhookSubscriptionKind.JobCallbacks && s.TenantId == Tenant.DefaultId));
    }

    private static MultipartFormDataContent Upload(byte[] wav)
    {
        var file = new ByteArrayContent(wav);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        return new MultipartFormDataContent { { file, "file", "speech.wav" } };
    }
}
