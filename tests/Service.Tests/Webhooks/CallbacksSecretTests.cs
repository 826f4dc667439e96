using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Api.Webhooks;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Webhooks;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

/// <summary>
/// The secret that signs a job's callbackUrl deliveries is its tenant's own (<c>/webhooks/callbacks/rotate-secret</c>
/// with the tenant's key): another tenant can neither sign with it, read it nor rotate it.
/// </summary>
[Collection(nameof(WebhookTimingCollection))]
public sealed class CallbacksSecretTests
{
    /// <summary>The id the one deployment-wide callbacks row had before the secret was per tenant.</summary>
    private static readonly Guid DeploymentWideCallbacksId = new("00000000-0000-0000-0000-0000000ca11b");
    private const string LastMigrationBeforePerTenantCallbacks = "20261201012624_Tenants";

    [Fact]
    public async Task Tenant_b_callbacks_are_signed_with_the_secret_b_gets_with_its_key_and_not_with_tenant_a_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var api = EmbeddedApi.With(KeysModeWithFastWebhooks());
        var (_, keyA) = await api.CreateKeyAsync("tenant-a");
        var (_, keyB) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        using var clientB = api.ClientWithKey(keyB);
        var secretOfA = await WebhookApi.RotateSecretAsync(clientA, WebhookViews.CallbacksId);
        var secretOfB = await WebhookApi.RotateSecretAsync(clientB, WebhookViews.CallbacksId);
        Assert.NotEqual(secretOfA, secretOfB);

        var jobOfA = await SubmitWithCallbackAsync(clientA, receiver.Url("/a"));
        var jobOfB = await SubmitWithCallbackAsync(clientB, receiver.Url("/b"));

        var callbackOfA = await receiver.WaitForAsync(r => r.Path == "/a");
        var callbackOfB = await receiver.WaitForAsync(r => r.Path == "/b");
        Assert.Contains(jobOfB.ToString(), callbackOfB.Body);
        Assert.True(WebhookApi.IsSignedBy(secretOfB, callbackOfB), "B's callback verifies with B's secret");
        Assert.False(WebhookApi.IsSignedBy(secretOfA, callbackOfB), "B's callback verifies with A's secret");
        Assert.True(WebhookApi.IsSignedBy(secretOfA, callbackOfA), "A's callback verifies with A's secret");
        Assert.False(WebhookApi.IsSignedBy(secretOfB, callbackOfA), "A's callback verifies with B's secret");
        var deliveryOfB = await WebhookApi.WaitForDeliveryAsync(clientB, jobOfB, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal("callback", deliveryOfB["target"]!.GetValue<string>());
        Assert.Null(deliveryOfB["webhookId"]);
        await WebhookApi.WaitForDeliveryAsync(clientA, jobOfA, d => d["target"]!.GetValue<string>() == "callback");
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_signing_through_the_overlap_and_touches_no_other_tenant_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var api = EmbeddedApi.With(KeysModeWithFastWebhooks());
        var (keyIdA, keyA) = await api.CreateKeyAsync("tenant-a");
        var (_, keyB) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        using var clientB = api.ClientWithKey(keyB);
        var secretOfA = await WebhookApi.RotateSecretAsync(clientA, WebhookViews.CallbacksId);
        var rowOfA = await CallbacksRowAsync(api, await api.TenantOfKeyAsync(keyIdA));

        var firstOfB = await WebhookApi.RotateSecretAsync(clientB, WebhookViews.CallbacksId);
        var secondOfB = await WebhookApi.RotateSecretAsync(clientB, WebhookViews.CallbacksId);
        await (await clientB.PostAsync($"/webhooks/{rowOfA.Id}/rotate-secret", null))
            .AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.WebhookNotFound, "B rotates A's callbacks row by its id");
        await (await clientB.GetAsync($"/webhooks/{rowOfA.Id}"))
            .AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.WebhookNotFound, "B reads A's callbacks row by its id");

        await SubmitWithCallbackAsync(clientB, receiver.Url("/b"));
        await SubmitWithCallbackAsync(clientA, receiver.Url("/a"));
        var callbackOfB = await receiver.WaitForAsync(r => r.Path == "/b");
        var callbackOfA = await receiver.WaitForAsync(r => r.Path == "/a");

        Assert.True(WebhookApi.IsSignedBy(secondOfB, callbackOfB), "B's callback verifies with B's new secret");
        Assert.True(WebhookApi.IsSignedBy(firstOfB, callbackOfB), "B's callback verifies with B's previous secret during the overlap");
        Assert.False(WebhookApi.IsSignedBy(secretOfA, callbackOfB));
        Assert.True(WebhookApi.IsSignedBy(secretOfA, callbackOfA), "A's secret still signs A's callbacks after B's rotations");
        Assert.Single(callbackOfA.Headers["webhook-signature"].ToString().Split(' '));   // A's row was never rotated
        var afterwards = await CallbacksRowAsync(api, rowOfA.TenantId);
        Assert.Equal(secretOfA, afterwards.Secret);
        Assert.Null(afterwards.PreviousSecret);
    }

    [Fact]
    public async Task Callbacks_rows_made_at_the_same_moment_for_one_tenant_are_one_row()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (keyId, _) = await api.CreateKeyAsync("tenant-a");
        var tenant = await api.TenantOfKeyAsync(keyId);

        // What jobs of the tenant ending at once do, each in its own consumer scope: all look for the row before any
        // has made it (the scopes are ready, then let go together).
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ensuring = Enumerable.Range(0, 16).Select(async _ =>
        {
            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            await db.Database.OpenConnectionAsync();
            await go.Task;
            return (await JobCallbacksSubscription.EnsureAsync(db, tenant, DateTime.UtcNow, CancellationToken.None)).Subscription.Id;
        }).ToList();
        await Task.Delay(200);
        go.SetResult();
        var ids = await Task.WhenAll(ensuring);

        Assert.Single(ids.Distinct());
        await using var check = api.Services.CreateAsyncScope();
        var rows = check.ServiceProvider.GetRequiredService<JobsDbContext>().WebhookSubscriptions;
        Assert.Equal(1, await rows.CountAsync(s => s.Kind == WebhookSubscriptionKind.JobCallbacks && s.TenantId == tenant));
    }

    [Fact]
    public async Task The_database_refuses_a_second_callbacks_row_for_a_tenant_but_not_a_second_endpoint()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (keyId, _) = await api.CreateKeyAsync("tenant-a");
        var tenant = await api.TenantOfKeyAsync(keyId);
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        db.WebhookSubscriptions.AddRange(Row(tenant, WebhookSubscriptionKind.Endpoint), Row(tenant, WebhookSubscriptionKind.Endpoint),
            Row(tenant, WebhookSubscriptionKind.JobCallbacks));
        await db.SaveChangesAsync();

        db.WebhookSubscriptions.Add(Row(tenant, WebhookSubscriptionKind.JobCallbacks));

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task The_deployment_wide_callbacks_row_of_earlier_versions_stays_the_default_tenant_row_with_its_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = EmbeddedApi.With(WebhookApi.FastSettings());   // Open mode: every caller is the default tenant
        var legacySecret = WebhookSecrets.NewSecret();
        await using (var db = new SqliteJobsDbContext(new DbContextOptionsBuilder<SqliteJobsDbContext>()
            .UseSqlite($"Data Source={Path.Combine(api.DataDirectory, StorageServiceCollectionExtensions.EmbeddedDatabaseFileName)};Pooling=False").Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(LastMigrationBeforePerTenantCallbacks);
            var created = new DateTime(2026, 12, 1, 1, 0, 0, DateTimeKind.Utc);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO webhook_subscriptions ("Id", "TenantId", "Kind", "Url", "Events", "Secret", "CreatedAt")
                VALUES ({DeploymentWideCallbacksId}, {Tenant.DefaultId}, 'JobCallbacks', NULL, 'job.succeeded,job.failed', {legacySecret}, {created})
                """);
            await db.Database.MigrateAsync();
            // A callback still waiting for its receiver when the deployment was upgraded.
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(), SubscriptionId = DeploymentWideCallbacksId, EventType = WebhookEvents.JobFailed, EventKey = "before-upgrade",
                Url = receiver.Url("/pending"), Payload = "{}", CreatedAt = created, ScheduleStartedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        using var client = api.CreateClient();

        var pending = await receiver.WaitForAsync(r => r.Path == "/pending");
        Assert.True(WebhookApi.IsSignedBy(legacySecret, pending), "the waiting callback is signed with the secret its receiver knows");
        var rotated = await WebhookApi.RotateSecretAsync(client, WebhookViews.CallbacksId);
        var jobId = await SubmitWithCallbackAsync(client, receiver.Url("/after-rotation"));
        var callback = await receiver.WaitForAsync(r => r.Path == "/after-rotation");

        Assert.True(WebhookApi.IsSignedBy(rotated, callback));
        Assert.True(WebhookApi.IsSignedBy(legacySecret, callback), "the default tenant rotated the old row: its secret signs through the overlap");
        Assert.Equal(DeploymentWideCallbacksId, (await CallbacksRowAsync(api, Tenant.DefaultId)).Id);
        await WebhookApi.WaitForDeliveryAsync(client, jobId, d => d["target"]!.GetValue<string>() == "callback");
    }

    private static Dictionary<string, string?> KeysModeWithFastWebhooks() =>
        ApiKeys.KeysModeSettings(WebhookApi.FastSettings().Select(s => (s.Key, s.Value)).ToArray());

    /// <summary>A job that fails at once (bytes no decoder accepts), so its callback comes within a poll or two.</summary>
    private static async Task<Guid> SubmitWithCallbackAsync(HttpClient client, string callbackUrl)
    {
        using var response = await client.PostAsync("/jobs",
            EmbeddedApi.Upload(GeneratedAudio.RandomBytes(4000), "noise.mp3", "audio/mpeg", callbackUrl: callbackUrl));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /jobs answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    /// <summary>The tenant's callbacks row, read in a scope that acts for all tenants.</summary>
    private static async Task<WebhookSubscription> CallbacksRowAsync(EmbeddedApi api, Guid tenantId)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().WebhookSubscriptions.AsNoTracking()
            .SingleAsync(s => s.Kind == WebhookSubscriptionKind.JobCallbacks && s.TenantId == tenantId);
    }

    private static WebhookSubscription Row(Guid tenantId, WebhookSubscriptionKind kind) => new()
    {
        Id = Guid.CreateVersion7(), TenantId = tenantId, Kind = kind, Url = kind == WebhookSubscriptionKind.Endpoint ? "https://example.com/hook" : null,
        Events = [WebhookEvents.JobFailed], Secret = WebhookSecrets.NewSecret(), CreatedAt = DateTime.UtcNow,
    };
}
