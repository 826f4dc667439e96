using System.Net;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Batches;

public sealed class CancelBatchTests
{
    [Fact]
    public async Task Cancel_fails_the_queued_jobs_ends_the_batch_once_and_a_second_cancel_is_409()
    {
        // One batch job at a time, each held 1 s: twelve members cannot all have started when the cancel arrives.
        using var api = EmbeddedApi.With(new Dictionary<string, string?>
        {
            ["Processing:BatchConcurrentMessageLimit"] = "1",
            ["Processing:DelayBeforeAnalysis"] = "00:00:01",
        });
        using var client = api.CreateClient();
        await using var completions = await PublishedMessages<BatchCompleted>.ListenAsync(api.Services);
        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client,
            BatchArchives.ArchiveForm(BatchArchives.Zip(BatchArchives.Clips(12)), "twelve.zip")));

        using var cancel = await client.PostAsync($"/batches/{batchId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var batch = await BatchArchives.WaitUntilAllFinishedAsync(client, batchId, TimeSpan.FromSeconds(30));

        Assert.Equal("cancelled", batch["status"]!.GetValue<string>());
        var cancelled = await BatchArchives.AllJobsAsync(client, batchId, status: "failed");
        Assert.InRange(cancelled.Count, 9, 12);
        Assert.All(cancelled, job => Assert.Equal("batch_cancelled", job["error"]!["code"]!.GetValue<string>()));
        Assert.Equal(12, BatchArchives.Count(batch, "succeeded") + cancelled.Count);

        await (await client.PostAsync($"/batches/{batchId}/cancel", null)).AssertProblemAsync(HttpStatusCode.Conflict, "batch_not_running");
        await Task.Delay(500);
        Assert.Single(completions.Received, c => c.BatchId == batchId);
    }
}
