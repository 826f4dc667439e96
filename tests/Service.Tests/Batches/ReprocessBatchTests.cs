using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Batches;

public sealed class ReprocessBatchTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Reprocessing_job_ids_runs_each_finished_job_again_and_completes_the_batch()
    {
        using var client = api.CreateClient();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await api.SubmitAsync(client, GeneratedAudio.Tone(1, 300 + 50 * i)));
        }
        var before = new Dictionary<Guid, JsonObject>();
        foreach (var id in ids)
        {
            before[id] = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        }

        var created = await BatchArchives.ReprocessAsync(client, new { jobIds = ids });
        Assert.Equal("reprocess", created["kind"]!.GetValue<string>());
        Assert.Equal(3, BatchArchives.Count(created, "total"));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(created), TimeSpan.FromMinutes(1));

        Assert.Equal((3, 3), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
        foreach (var id in ids)
        {
            var after = await EmbeddedApi.GetJobAsync(client, id);
            Assert.Equal("succeeded", after["status"]!.GetValue<string>());
            // Ran again: started after the first run had completed.
            Assert.True(after["startedAt"]!.GetValue<DateTime>() > before[id]["completedAt"]!.GetValue<DateTime>(), after.ToJsonString());
            Assert.Equal(before[id]["recording"]!["sha256"]!.GetValue<string>(), after["recording"]!["sha256"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Reprocessing_a_batch_runs_its_jobs_again_and_keeps_the_first_batch_as_it_completed()
    {
        using var client = api.CreateClient();
        var first = BatchArchives.IdOf(await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(BatchArchives.Zip(BatchArchives.Clips(5)), "five.zip")));
        var firstDone = await BatchArchives.WaitUntilEndedAsync(client, first, TimeSpan.FromMinutes(1));

        var again = await BatchArchives.ReprocessAsync(client, new { batchId = first });
        var againDone = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(again), TimeSpan.FromMinutes(1));

        Assert.Equal((5, 5), (BatchArchives.Count(againDone, "total"), BatchArchives.Count(againDone, "succeeded")));
        Assert.Equal(
            (await BatchArchives.AllJobsAsync(client, first)).Select(BatchArchives.IdOf).Order(),
            (await BatchArchives.AllJobsAsync(client, BatchArchives.IdOf(again))).Select(BatchArchives.IdOf).Order());
        Assert.Equal(firstDone.ToJsonString(), (await BatchArchives.GetAsync(client, first)).ToJsonString());
    }

    [Fact]
    public async Task Jobs_already_on_the_current_model_are_left_alone()
    {
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var currentModel = job["result"]!["modelVersion"]!.GetValue<string>();

        var onCurrent = await BatchArchives.ReprocessAsync(client, new { jobIds = new[] { id }, modelVersionNot = currentModel });
        var onOlder = await BatchArchives.ReprocessAsync(client, new { jobIds = new[] { id }, modelVersionNot = "cnn-19990101-old" });

        Assert.Equal(("completed", 0), ((await BatchArchives.GetAsync(client, BatchArchives.IdOf(onCurrent)))["status"]!.GetValue<string>(),
            BatchArchives.Count(onCurrent, "total")));
        Assert.Equal(1, BatchArchives.Count(onOlder, "total"));
        await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(onOlder), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Status_and_time_criteria_select_only_matching_finished_jobs_that_still_have_their_audio()
    {
        using var client = api.CreateClient();
        var tooShort = await api.SubmitAsync(client, GeneratedAudio.Silence(0.2), "short.wav");   // rejected: its audio is not kept
        await EmbeddedApi.WaitUntilFinishedAsync(client, tooShort);
        var since = (await EmbeddedApi.GetJobAsync(client, tooShort))["createdAt"]!.GetValue<DateTime>().AddTicks(-1);
        var crashed = await api.SeedAsync(job => (job.Status, job.CompletedAt, job.ErrorCode) = (JobStatus.Failed, DateTime.UtcNow, "processing_failed"));
        var succeeded = await api.SeedAsync(job => (job.Status, job.CompletedAt) = (JobStatus.Succeeded, DateTime.UtcNow));

        var created = await BatchArchives.ReprocessAsync(client, new { status = "failed", createdAfter = since });
        var batch = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(created), TimeSpan.FromMinutes(1));

        var jobs = await BatchArchives.AllJobsAsync(client, BatchArchives.IdOf(batch));
        Assert.Equal([crashed], jobs.Select(BatchArchives.IdOf));
        Assert.Equal((1, 1), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
        Assert.Equal("succeeded", (await EmbeddedApi.GetJobAsync(client, crashed))["status"]!.GetValue<string>());
        Assert.NotEqual(succeeded, crashed);
    }

    [Fact]
    public async Task A_reprocessed_job_keeps_every_result_newest_first()
    {
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        var batch = await BatchArchives.ReprocessAsync(client, new { jobIds = new[] { id } });
        await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(batch), TimeSpan.FromMinutes(1));

        var results = JsonNode.Parse(await client.GetStringAsync($"/jobs/{id}/results"))!;
        Assert.Equal(2, results["items"]!.AsArray().Count);
    }
}
