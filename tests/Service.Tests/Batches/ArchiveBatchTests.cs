using SpeechEmotion.TestSupport.Waiting;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Batches;

public sealed class ArchiveBatchTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Zip_of_200_clips_and_3_corrupt_members_completes_with_the_right_counts_and_publishes_BatchCompleted_once()
    {
        using var client = api.CreateClient();
        await using var completions = await PublishedMessages<BatchCompleted>.ListenAsync(api.Services);
        var truncatedWav = GeneratedAudio.Tone(1)[..30];   // RIFF/WAVE header cut short: passes the name check, fails decoding
        var members = BatchArchives.Clips(200)
            .Append(("clips/truncated.wav", truncatedWav))
            .Append(("clips/noise.wav", GeneratedAudio.RandomBytes(4000)))
            .Append(("notes.txt", Encoding.UTF8.GetBytes("not audio")));
        var archive = BatchArchives.Zip(members);

        var created = await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(archive, "calls.zip"));
        var batchId = BatchArchives.IdOf(created);
        Assert.Equal(203, BatchArchives.Count(created, "total"));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(3));

        Assert.Equal("completed", batch["status"]!.GetValue<string>());
        Assert.Equal((203, 0, 0, 200, 3), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "queued"),
            BatchArchives.Count(batch, "running"), BatchArchives.Count(batch, "succeeded"), BatchArchives.Count(batch, "failed")));
        Assert.NotNull(batch["completedAt"]);

        var failed = await BatchArchives.AllJobsAsync(client, batchId, status: "failed");
        var codes = failed.ToDictionary(job => job["metadata"]!["batchMember"]!.GetValue<string>(), job => job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string>
        {
            ["clips/truncated.wav"] = "corrupt_audio",
            ["clips/noise.wav"] = "unsupported_format",
            ["notes.txt"] = "unsupported_format",
        }, codes);

        var all = await BatchArchives.AllJobsAsync(client, batchId, limit: 50);
        Assert.Equal(203, all.Select(job => job["id"]!.GetValue<Guid>()).Distinct().Count());
        Assert.Equal("clip-007.wav", all.Single(job => job["metadata"]!["batchMember"]!.GetValue<string>() == "clips/clip-007.wav")["recording"]!["fileName"]!.GetValue<string>());

        await Eventually.HoldsAsync(() => completions.Received.Count(c => c.BatchId == batchId) == 1);
        await Task.Delay(500);   // a second publication would have arrived by now
        Assert.Single(completions.Received, c => c.BatchId == batchId);
    }

    [Fact]
    public async Task Duplicate_JobFinished_events_change_neither_the_counts_nor_the_single_BatchCompleted()
    {
        using var client = api.CreateClient();
        await using var completions = await PublishedMessages<BatchCompleted>.ListenAsync(api.Services);
        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client,
            BatchArchives.ArchiveForm(BatchArchives.TarGz(BatchArchives.Clips(4)), "calls.tar.gz")));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));
        Assert.Equal((4, 4), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));

        var bus = (MassTransit.IBus)api.Services.GetService(typeof(MassTransit.IBus))!;
        var jobs = await BatchArchives.AllJobsAsync(client, batchId);
        await Task.WhenAll(jobs.SelectMany(_ => Enumerable.Range(0, 5)).Select((_, i) => bus.Publish(new JobFinished
        {
            JobId = jobs[i % jobs.Count]["id"]!.GetValue<Guid>(), Succeeded = true, FinishedAt = DateTime.UtcNow,
        })));
        await Eventually.HoldsAsync(() => completions.Received.Count(c => c.BatchId == batchId) == 1);
        await Task.Delay(1000);   // a second publication, or a change to the counts, would have come by now

        Assert.Single(completions.Received, c => c.BatchId == batchId);
        var again = await BatchArchives.GetAsync(client, batchId);
        Assert.Equal(batch["counts"]!.ToJsonString(), again["counts"]!.ToJsonString());
        Assert.Equal(batch["completedAt"]!.ToJsonString(), again["completedAt"]!.ToJsonString());
    }

    [Fact]
    public async Task Plain_tar_archive_is_read_too()
    {
        using var client = api.CreateClient();
        var tar = SpeechEmotion.TestSupport.Archives.TestArchives.Tar(BatchArchives.Clips(3));
        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(tar, "calls.tar")));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));
        Assert.Equal((3, 3), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded")));
    }

    [Fact]
    public async Task A_damaged_archive_keeps_the_members_read_before_the_damage()
    {
        using var client = api.CreateClient();
        var whole = BatchArchives.TarGz(BatchArchives.Clips(6, seconds: 2));
        var cut = whole[..(whole.Length * 2 / 3)];

        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(cut, "cut.tar.gz")));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));

        // The gzip stream just ends: the members before the cut are whole, the one cut through is short audio.
        Assert.Equal("completed", batch["status"]!.GetValue<string>());
        var total = BatchArchives.Count(batch, "total");
        Assert.InRange(total, 2, 5);
        Assert.Equal(total - 1, BatchArchives.Count(batch, "succeeded"));
        var failed = Assert.Single(await BatchArchives.AllJobsAsync(client, batchId, status: "failed"));
        Assert.Contains(failed["error"]!["code"]!.GetValue<string>(), new[] { "too_short", "corrupt_audio", "corrupt_archive_member" });
    }

    [Fact]
    public async Task A_member_failing_its_checksum_fails_alone_and_the_members_after_it_are_read()
    {
        using var client = api.CreateClient();
        var members = BatchArchives.Clips(3).ToList();
        var zip = BatchArchives.Zip(members, System.IO.Compression.CompressionLevel.NoCompression);
        var second = Encoding.ASCII.GetBytes(members[1].Name);
        var nameAt = zip.AsSpan().IndexOf(second);
        zip[nameAt + second.Length + 2000] ^= 0x55;   // inside the second member's stored bytes: its CRC-32 no longer matches

        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(zip, "flipped.zip")));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, batchId, TimeSpan.FromMinutes(1));

        Assert.Equal((3, 2, 1), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded"), BatchArchives.Count(batch, "failed")));
        var failed = Assert.Single(await BatchArchives.AllJobsAsync(client, batchId, status: "failed"));
        Assert.Equal(members[1].Name, failed["metadata"]!["batchMember"]!.GetValue<string>());
        Assert.Equal("corrupt_archive_member", failed["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("not an archive at all, just some text that goes on for a while", "unreadable_archive")]
    public async Task Bad_archives_are_400_problems(string content, string code)
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/batches", BatchArchives.ArchiveForm(Encoding.UTF8.GetBytes(content), "x.zip"));
        await IsProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Bad_batch_requests_are_problems_with_stable_codes()
    {
        using var client = api.CreateClient();
        var noArchive = new MultipartFormDataContent { { new StringContent("x"), "file" } };
        await IsProblemAsync(await client.PostAsync("/batches", noArchive), HttpStatusCode.BadRequest, "missing_archive");
        await IsProblemAsync(await client.PostAsync("/batches", new StringContent("hello")), HttpStatusCode.UnsupportedMediaType, "not_multipart");
        await IsProblemAsync(await client.PostAsync("/batches", new StringContent("{", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "invalid_batch_request");
        await IsProblemAsync(await client.PostAsJsonAsync("/batches", new { }), HttpStatusCode.BadRequest, "invalid_batch_request");
        await IsProblemAsync(await client.PostAsJsonAsync("/batches", new { reprocess = new { } }), HttpStatusCode.BadRequest, "invalid_batch_request");
        await IsProblemAsync(await client.PostAsJsonAsync("/batches", new { reprocess = new { status = "queued" } }),
            HttpStatusCode.BadRequest, "invalid_batch_request");
        await IsProblemAsync(await client.GetAsync($"/batches/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "batch_not_found");
        await IsProblemAsync(await client.GetAsync("/batches/nope/jobs"), HttpStatusCode.NotFound, "batch_not_found");
        await IsProblemAsync(await client.PostAsync($"/batches/{Guid.NewGuid()}/cancel", null), HttpStatusCode.NotFound, "batch_not_found");

        var batchId = BatchArchives.IdOf(await BatchArchives.CreateAsync(client, BatchArchives.ArchiveForm(BatchArchives.Zip(BatchArchives.Clips(1)), "one.zip")));
        await IsProblemAsync(await client.GetAsync($"/batches/{batchId}/jobs?status=lost"), HttpStatusCode.BadRequest, "invalid_batch_query");
        await IsProblemAsync(await client.GetAsync($"/batches/{batchId}/jobs?limit=0"), HttpStatusCode.BadRequest, "invalid_batch_query");
        await IsProblemAsync(await client.GetAsync($"/batches/{batchId}/jobs?after=x"), HttpStatusCode.BadRequest, "invalid_batch_query");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_batch_endpoints_and_both_request_forms()
    {
        using var client = api.CreateClient();
        var paths = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!["paths"]!;

        var create = paths["/batches"]!["post"]!;
        var content = create["requestBody"]!["content"]!;
        Assert.Contains("archive", content["multipart/form-data"]!["schema"]!.ToJsonString());
        Assert.Contains("BatchRequest", content["application/json"]!["schema"]!.ToJsonString());
        Assert.Equal(["202", "400", "401", "403", "408", "413", "415", "429", "503"], create["responses"]!.AsObject().Select(r => r.Key).Order());   // 401 and 429: every endpoint's (keys, rate limit)
        Assert.NotNull(paths["/batches/{id}"]!["get"]);
        Assert.NotNull(paths["/batches/{id}/jobs"]!["get"]);
        Assert.NotNull(paths["/batches/{id}/cancel"]!["post"]);
    }

    private static Task IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) =>
        response.AssertProblemAsync(status, code);
}
