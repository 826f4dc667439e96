using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>Auth:Mode=ApiKeys: a tenant's jobs are invisible to every other tenant (404, as if they did not exist).</summary>
public sealed class TenantIsolationTests
{
    [Fact]
    public async Task Tenant_b_cannot_read_tenant_a_job_or_its_timeline()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (_, keyA) = await api.CreateKeyAsync("tenant-a");
        var (_, keyB) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        using var clientB = api.ClientWithKey(keyB);

        var jobOfA = await api.SubmitAsync(clientA, GeneratedAudio.Tone(2));
        var finished = await EmbeddedApi.WaitUntilFinishedAsync(clientA, jobOfA);
        Assert.Equal("succeeded", finished["status"]!.GetValue<string>());

        await (await clientB.GetAsync($"/jobs/{jobOfA}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "B reads A's job");
        await (await clientB.GetAsync($"/jobs/{jobOfA}/timeline.png")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "B reads A's timeline");
        await (await clientB.GetAsync($"/jobs/{jobOfA}/results")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "B reads A's results");
        using var timelineOfA = await clientA.GetAsync($"/jobs/{jobOfA}/timeline.png");
        Assert.Equal(HttpStatusCode.OK, timelineOfA.StatusCode);
    }

    [Fact]
    public async Task Tenant_b_sees_none_of_tenant_a_batches_webhooks_or_deliveries_and_hears_none_of_its_jobs()
    {
        var settings = new Dictionary<string, string?>(ApiKeys.KeysModeSettings());
        foreach (var (key, value) in WebhookApi.FastSettings())
        {
            settings[key] = value;
        }
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var api = EmbeddedApi.With(settings);
        var (_, keyA) = await api.CreateKeyAsync("tenant-a");
        var (_, keyB) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        using var clientB = api.ClientWithKey(keyB);
        var hookOfA = await WebhookApi.SubscribeAsync(clientA, receiver.Url("/a"), "job.succeeded", "batch.completed");
        var hookOfB = await WebhookApi.SubscribeAsync(clientB, receiver.Url("/b"), "job.succeeded", "batch.completed");

        var batchOfA = BatchArchives.IdOf(await BatchArchives.CreateAsync(clientA,
            BatchArchives.ArchiveForm(BatchArchives.Zip(BatchArchives.Clips(2)), "calls.zip")));
        await BatchArchives.WaitUntilEndedAsync(clientA, batchOfA, TimeSpan.FromMinutes(1));
        var jobOfA = (await BatchArchives.AllJobsAsync(clientA, batchOfA))[0]["id"]!.GetValue<Guid>();
        await receiver.WaitForAsync(r => r.Path == "/a" && r.Body.Contains("batch.completed"));

        await (await clientB.GetAsync($"/batches/{batchOfA}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.BatchNotFound, "B reads A's batch");
        await (await clientB.GetAsync($"/webhooks/{hookOfA.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.WebhookNotFound, "B reads A's webhook");
        await (await clientB.DeleteAsync($"/webhooks/{hookOfA.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.WebhookNotFound, "B deletes A's webhook");
        await (await clientB.GetAsync($"/jobs/{jobOfA}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "B reads A's deliveries");
        // The batch's event can arrive before the job's own delivery is recorded: wait for that delivery itself.
        var deliveryOfA = (await WebhookApi.WaitForDeliveryAsync(clientA, jobOfA, _ => true))["id"]!.GetValue<Guid>();
        await (await clientB.PostAsync($"/deliveries/{deliveryOfA}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.DeliveryNotFound, "B re-sends A's delivery");
        var listedToB = await clientB.GetStringAsync("/webhooks");
        Assert.DoesNotContain(hookOfA.Id.ToString(), listedToB);
        Assert.Contains(hookOfB.Id.ToString(), listedToB);
        await Task.Delay(500);   // B's receiver path would have had A's events by now
        Assert.DoesNotContain(receiver.Received, r => r.Path == "/b");
    }

    [Fact]
    public async Task Tenant_b_cannot_delete_tenant_a_job_and_tenant_a_can()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (_, keyA) = await api.CreateKeyAsync("tenant-a");
        var (_, keyB) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        using var clientB = api.ClientWithKey(keyB);
        var jobOfA = await api.SubmitAsync(clientA, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(clientA, jobOfA);

        await (await clientB.DeleteAsync($"/jobs/{jobOfA}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "B deletes A's job");
        await EmbeddedApi.GetJobAsync(clientA, jobOfA);   // still there, with its audio
        Assert.Equal("stored", (await EmbeddedApi.GetJobAsync(clientA, jobOfA))["recording"]!["audio"]!.GetValue<string>());

        using var deleted = await clientA.DeleteAsync($"/jobs/{jobOfA}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await clientA.GetAsync($"/jobs/{jobOfA}")).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "after A's delete");
    }

    [Fact]
    public async Task A_scope_restricted_to_tenant_b_can_neither_find_nor_delete_tenant_a_job()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (keyIdA, keyA) = await api.CreateKeyAsync("tenant-a");
        var (keyIdB, _) = await api.CreateKeyAsync("tenant-b");
        using var clientA = api.ClientWithKey(keyA);
        var jobOfA = await api.SubmitAsync(clientA, GeneratedAudio.Tone(1));
        var tenantA = await api.TenantOfKeyAsync(keyIdA);
        var tenantB = await api.TenantOfKeyAsync(keyIdB);

        await using (var scopeOfB = api.Services.CreateAsyncScope())
        {
            scopeOfB.ServiceProvider.GetRequiredService<CurrentTenant>().Restrict(tenantB);
            var db = scopeOfB.ServiceProvider.GetRequiredService<JobsDbContext>();
            Assert.Null(await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobOfA));
            // What a delete endpoint does: the filter applies to set-based deletes as well.
            Assert.Equal(0, await db.Jobs.Where(j => j.Id == jobOfA).ExecuteDeleteAsync());
        }

        await using (var scopeOfA = api.Services.CreateAsyncScope())
        {
            scopeOfA.ServiceProvider.GetRequiredService<CurrentTenant>().Restrict(tenantA);
            var job = await scopeOfA.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.SingleAsync(j => j.Id == jobOfA);
            Assert.Equal(tenantA, job.TenantId);
        }
    }

    [Fact]
    public async Task A_row_of_another_tenant_cannot_be_saved_in_a_tenant_scope()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (keyIdB, _) = await api.CreateKeyAsync("tenant-b");
        var tenantB = await api.TenantOfKeyAsync(keyIdB);
        await using var scopeOfB = api.Services.CreateAsyncScope();
        scopeOfB.ServiceProvider.GetRequiredService<CurrentTenant>().Restrict(tenantB);
        var db = scopeOfB.ServiceProvider.GetRequiredService<JobsDbContext>();
        db.Jobs.Add(new SpeechEmotion.Persistence.Jobs.Job
        {
            Id = Guid.CreateVersion7(), TenantId = Tenant.DefaultId, RecordingId = Guid.CreateVersion7(),
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }
}
