using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SpeechEmotion.Service.Tests.Batches;

/// <summary>Batch work has a queue of its own: a live job does not wait behind a big reprocessing.</summary>
public sealed class LiveJobPriorityTests(ITestOutputHelper output)
{
    private const int BacklogJobs = 3000;

    [Fact]
    public async Task A_live_job_finishes_within_seconds_while_a_3000_job_reprocessing_is_queued()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        await SeedSucceededJobs(api, BacklogJobs);

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
    /// and their messages are acknowledged quickly), then a marker job sent last on the same queue finishes once every
    /// message before it has been consumed.
    /// </summary>
    private static async Task DrainBatchQueue(EmbeddedApi api, HttpClient client, Guid batchId)
    {
        (await client.PostAsync($"/batches/{batchId}/cancel", null)).EnsureSuccessStatusCode();
        var marker = await api.SeedAsync(job => { });
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AnalysisQueues>().SendToBatchQueueAsync([marker], CancellationToken.None);
        }
        await EmbeddedApi.WaitUntilFinishedAsync(client, marker, TimeSpan.FromMinutes(2));
    }

    /// <summary>Finished jobs with recordings, written straight to the store and database (fast: no analysis).</summary>
    private static async Task SeedSucceededJobs(EmbeddedApi api, int count)
    {
        var audio = GeneratedAudio.Tone(1);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(audio));
        await using var scope = api.Services.CreateAsyncScope();
        var recordings = scope.ServiceProvider.GetRequiredService<RecordingStore>();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            await recordings.SaveAsync(id, new MemoryStream(audio), new RecordingDescription("seeded.wav", "audio/wav", audio.Length, sha256), CancellationToken.None);
            db.Jobs.Add(new Job
            {
                Id = id, Status = JobStatus.Succeeded, CreatedAt = now, CompletedAt = now, LastPublishedAt = now,
                FileName = "seeded.wav", ContentType = "audio/wav", SizeBytes = audio.Length, Sha256 = sha256,
            });
        }
        await db.SaveChangesAsync();
    }
}
