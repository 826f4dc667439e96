using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Archives;
using SpeechEmotion.TestSupport.Waiting;

namespace SpeechEmotion.Service.Tests.Batches;

/// <summary>
/// An intake that ends early keeps the members it added and is sealed as interrupted, so its batch completes:
/// in-process when the request dies (the client going away, the archive turning unreadable), and by the recovery
/// sweep when the Api died with it.
/// </summary>
public sealed class InterruptedIntakeTests
{
    [Fact]
    public async Task A_client_going_away_mid_archive_leaves_a_batch_of_the_members_received_that_completes_interrupted()
    {
        const int received = 3;
        using var api = EmbeddedApi.OnKestrel();
        // A plain client: the factory's own buffers a request body whole (to follow redirects) before sending any of it.
        Uri address;
        using (var factoryClient = api.CreateClient())
        {
            address = factoryClient.BaseAddress!;
        }
        using var client = new HttpClient { BaseAddress = address };
        await using var completions = await PublishedMessages<BatchCompleted>.ListenAsync(api.Services);
        var members = BatchArchives.Clips(6).ToList();
        var form = TestArchives.Form(TestArchives.Tar(members), "calls.tar");
        var body = await form.ReadAsByteArrayAsync();
        // Into the fourth member's audio: three members whole, the fourth cut short when the client goes away.
        var cut = body.AsSpan().IndexOf(Encoding.ASCII.GetBytes(members[received].Name)) + 4096;
        var upload = new BrokenOffContent(body, cut, form.Headers.ContentType!, breakOffWhen: () => WaitForMembers(api.DataDirectory, received));

        var aborted = await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync("/batches", upload));
        Assert.Contains(BrokenOffContent.Reason, aborted.ToString());   // not the wait for the members failing
        var batchId = await OnlyBatchId(api);
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));

        Assert.Equal(("completed", "interrupted"), (batch["status"]!.GetValue<string>(), batch["intake"]!.GetValue<string>()));
        Assert.Equal((received, received), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
        var names = (await BatchArchives.AllJobsAsync(client, batchId)).Select(job => job["metadata"]!["batchMember"]!.GetValue<string>());
        Assert.Equal(members.Take(received).Select(m => m.Name), names.Order());
        await AssertCompletedOnceAsync(completions, batchId);
    }

    [Fact]
    public async Task An_archive_unreadable_after_some_members_completes_with_those_members_interrupted()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var members = BatchArchives.Clips(5).ToList();
        var tar = TestArchives.Tar(members);
        // The fourth member's header block overwritten with noise: the reader cannot go on from there.
        var header = tar.AsSpan().IndexOf(Encoding.ASCII.GetBytes(members[3].Name)) / 512 * 512;
        Random.Shared.NextBytes(tar.AsSpan(header, 512));

        var created = await BatchArchives.CreateAsync(client, TestArchives.Form(tar, "damaged.tar"));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(created), TimeSpan.FromMinutes(1));

        Assert.Equal(("completed", "interrupted"), (batch["status"]!.GetValue<string>(), batch["intake"]!.GetValue<string>()));
        Assert.Equal((3, 3), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
    }

    [Fact]
    public async Task A_whole_archive_says_its_intake_is_complete()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var created = await BatchArchives.CreateAsync(client, TestArchives.Form(TestArchives.Tar(BatchArchives.Clips(2)), "whole.tar"));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(created), TimeSpan.FromMinutes(1));
        Assert.Equal(("completed", "complete"), (batch["status"]!.GetValue<string>(), batch["intake"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_unsealed_batch_whose_intake_went_quiet_is_sealed_by_one_of_two_concurrent_sweeps()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:BatchIntakeAbandonedAfter"] = "00:15:00" });
        using var client = api.CreateClient();
        await using var completions = await PublishedMessages<BatchCompleted>.ListenAsync(api.Services);
        // What an Api killed mid-intake leaves: a running, unsealed batch whose members (finished by now) stopped coming.
        var finished = await api.SeedManyAsync(2, job => { job.Status = JobStatus.Succeeded; job.CompletedAt = DateTime.UtcNow; });
        var abandoned = await api.SeedBatchAsync(lastMemberAddedAt: DateTime.UtcNow.AddMinutes(-16), finished);
        var filling = await api.SeedBatchAsync(lastMemberAddedAt: DateTime.UtcNow.AddMinutes(-14), await api.SeedManyAsync(1, _ => { }));

        var sweeps = await Task.WhenAll(SweepOnce(api), SweepOnce(api));
        var again = await SweepOnce(api);

        Assert.Equal(1, sweeps.Sum(outcome => outcome.SealedAbandonedBatches));
        Assert.Equal(0, again.SealedAbandonedBatches);
        var batch = await BatchArchives.GetAsync(client, abandoned);
        Assert.Equal(("completed", "interrupted"), (batch["status"]!.GetValue<string>(), batch["intake"]!.GetValue<string>()));
        Assert.Equal((2, 2), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
        var young = await BatchArchives.GetAsync(client, filling);
        Assert.Equal(("running", "receiving"), (young["status"]!.GetValue<string>(), young["intake"]!.GetValue<string>()));
        await AssertCompletedOnceAsync(completions, abandoned);
    }

    [Fact]
    public async Task An_Api_killed_mid_archive_leaves_a_batch_that_the_sweep_after_its_restart_seals_interrupted_and_completes()
    {
        const int received = 3;
        var dataDirectory = Directory.CreateTempSubdirectory("speech-emotion-intake-").FullName;
        try
        {
            var port = ServiceProcess.FreePort();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var members = BatchArchives.Clips(6).ToList();
            var form = TestArchives.Form(TestArchives.Tar(members), "calls.tar");
            var body = await form.ReadAsByteArrayAsync();
            var cut = body.AsSpan().IndexOf(Encoding.ASCII.GetBytes(members[received].Name)) + 4096;
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<HttpResponseMessage> sending;
            // A short lease: a member the first process's worker was analysing when it died stays "running" until its
            // lease runs out, and the default 2 min is longer than the wait below (a loaded CI run failed that way).
            await using (await StartApiAsync(dataDirectory, port, new()
                         {
                             ["Processing__BatchIntakeAbandonedAfter"] = "01:00:00",
                             ["Processing__LeaseDuration"] = "00:00:10",
                         }))
            {
                sending = client.PostAsync("/batches", new BrokenOffContent(body, cut, form.Headers.ContentType!, breakOffWhen: () => killed.Task));
                await WaitForMembers(dataDirectory, received);
            }   // killed (SIGKILL) while the fourth member is arriving
            killed.SetResult();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            Guid batchId;
            await using (var db = EmbeddedApi.OpenDatabaseFile(dataDirectory))
            {
                var left = await db.Batches.AsNoTracking().SingleAsync();
                Assert.False(left.Sealed, "the killed intake cannot have sealed its batch");
                batchId = left.Id;
            }

            await using var restarted = await StartApiAsync(dataDirectory, port, new()
            {
                ["Processing__BatchIntakeAbandonedAfter"] = "00:00:02",
                ["Processing__SweepInterval"] = "00:00:01",
                ["Processing__QueuedRepublishAfter"] = "00:00:01",   // members whose message died with the first process
            });
            var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));

            Assert.Equal(("completed", "interrupted"), (batch["status"]!.GetValue<string>(), batch["intake"]!.GetValue<string>()));
            Assert.Equal((received, received), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<ServiceProcess> StartApiAsync(string dataDirectory, int port, Dictionary<string, string> settings)
    {
        settings["SpeechEmotion__Mode"] = "Embedded";
        settings["Storage__DataDirectory"] = dataDirectory;
        var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, settings, $"--Urls=http://127.0.0.1:{port}");
        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/ready", TimeSpan.FromSeconds(90));
        return api;
    }

    private static async Task<int> CountMembersIn(string dataDirectory)
    {
        await using var db = EmbeddedApi.OpenDatabaseFile(dataDirectory);
        return await db.BatchMembers.CountAsync();
    }

    private static async Task AssertCompletedOnceAsync(PublishedMessages<BatchCompleted> completions, Guid batchId)
    {
        await Eventually.HoldsAsync(() => completions.Received.Any(c => c.BatchId == batchId));
        await Task.Delay(500);   // a second publication would have arrived by now
        Assert.Single(completions.Received, c => c.BatchId == batchId);
    }

    /// <summary>Until the intake has added <paramref name="count"/> members (read from the SQLite file, whoever runs the Api).</summary>
    private static async Task WaitForMembers(string dataDirectory, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CountMembersIn(dataDirectory) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the Api added {await CountMembersIn(dataDirectory)} of {count} members within 30 s");
            await Task.Delay(20);
        }
    }

    private static async Task<Guid> OnlyBatchId(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Batches.Select(b => b.Id).SingleAsync();
    }

    private static async Task<SweepOutcome> SweepOnce(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(CancellationToken.None);
    }
}
