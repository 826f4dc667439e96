using System.Net;
using System.Net.Http.Headers;
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
        var upload = new AbortingContent(body, cut, form.Headers.ContentType!, untilAborting: () => WaitForMembers(api, received));

        var aborted = await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync("/batches", upload));
        Assert.Contains("The client went away mid-upload.", aborted.ToString());   // not the wait for the members failing
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

    private static async Task AssertCompletedOnceAsync(PublishedMessages<BatchCompleted> completions, Guid batchId)
    {
        await Eventually.HoldsAsync(() => completions.Received.Any(c => c.BatchId == batchId));
        await Task.Delay(500);   // a second publication would have arrived by now
        Assert.Single(completions.Received, c => c.BatchId == batchId);
    }

    private static async Task WaitForMembers(EmbeddedApi api, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CountMembers(api) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the Api added {await CountMembers(api)} of {count} members within 30 s");
            await Task.Delay(20);
        }
    }

    private static async Task<int> CountMembers(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().BatchMembers.CountAsync();
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

    /// <summary>
    /// A body sent chunked up to <paramref name="cut"/>, then, once <paramref name="untilAborting"/> is done, broken
    /// off: the client fails the request and drops the connection, as a client that crashes mid-upload does.
    /// </summary>
    private sealed class AbortingContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _cut;
        private readonly Func<Task> _untilAborting;

        public AbortingContent(byte[] body, int cut, MediaTypeHeaderValue contentType, Func<Task> untilAborting)
        {
            (_body, _cut, _untilAborting) = (body, cut, untilAborting);
            Headers.ContentType = contentType;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, _cut));
            await stream.FlushAsync();
            await _untilAborting();
            throw new IOException("The client went away mid-upload.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;   // chunked, as a streaming client sends it
        }
    }
}
