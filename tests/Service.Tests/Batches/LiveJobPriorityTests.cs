using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SpeechEmotion.Service.Tests.Batches;

/// <summary>Batch work has a queue of its own: a live job does not wait behind a big reprocessing.</summary>
/// <remarks>Alone in the process: it times a live job in seconds, which other test classes on the same cores would skew.</remarks>
[Collection(nameof(LiveJobPriorityTests))]
public sealed class LiveJobPriorityTests(ITestOutputHelper output)
{
    private const int BacklogJobs = 3000;

    [Fact]
    public async Task A_live_job_finishes_within_seconds_while_a_3000_job_reprocessing_is_queued()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        await api.SeedManyAsync(BacklogJobs, job => (job.Status, job.CompletedAt) = (JobStatus.Succeeded, DateTime.UtcNow));

        var batch = await BatchArchives.ReprocessAsync(client, new { status = "succeeded" });
        Assert.Equal(BacklogJobs, BatchArchives.Count(batch, "total"));
        var clock = Stopwatch.StartNew();
        var live = await api.SubmitAsync(client, GeneratedAudio.Tone(2), "live.wav");
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, live, TimeSpan.FromSeconds(30));
        var liveSeconds = clock.Elapsed.TotalSeconds;
        var progress = await BatchArchives.GetAsync(client, BatchArchives.IdOf(batch));
        output.WriteLine($"live job {liveSeconds:F2} s after a {BacklogJobs}-job reprocessing was queued; batch then: {progress["counts"]!.ToJsonString()}");

        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        Assert.True(liveSeconds < 5, $"the live job took {liveSeconds:F1} s");
        // The proof that it overtook: most of the batch, queued before it, was still waiting when it finished.
        Assert.True(BatchArchives.Count(progress, "queued") > BacklogJobs / 2, progress.ToJsonString());

        await DrainBatchQueue(api, client, BatchArchives.IdOf(batch));
    }

    /// <summary>
    /// The embedded host does not stop while MassTransit's in-memory queue still holds thousands of messages (it waits
    /// for ever, live queue or batch queue alike), so the test empties it first: the batch is cancelled (its jobs fail
    /// and their messages are acknowledged quickly), then a marker job of a second batch, queued last on the same
    /// queue, finishes once every message before it has been consumed.
    /// </summary>
    private static async Task DrainBatchQueue(EmbeddedApi api, HttpClient client, Guid batchId)
    {
        (await client.PostAsync($"/batches/{batchId}/cancel", null)).EnsureSuccessStatusCode();
        var marker = await api.SeedAsync(_ => { });
        await using (var scope = api.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Restrict(Tenant.DefaultId);   // as a request of Open mode is
            var markerBatch = await scope.ServiceProvider.GetRequiredService<BatchLifecycle>().CreateAsync(BatchKind.Reprocess, "marker", CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            db.BatchMembers.Add(new BatchMember { BatchId = markerBatch.Id, JobId = marker });   // a running batch's job: the batch queue
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<AnalysisQueues>().PublishAsync(marker, CancellationToken.None);
        }
        await EmbeddedApi.WaitUntilFinishedAsync(client, marker, TimeSpan.FromMinutes(2));
    }
}

[CollectionDefinition(nameof(LiveJobPriorityTests), DisableParallelization = true)]
public sealed class LiveJobPriorityAlone;
