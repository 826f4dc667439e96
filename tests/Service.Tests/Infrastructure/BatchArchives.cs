using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.TestSupport.Archives;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>The clips and calls the batch tests make on /batches (the archives themselves: TestSupport's <see cref="TestArchives"/>).</summary>
public static class BatchArchives
{
    /// <summary><paramref name="count"/> different short tones (1 s, 200–599 Hz), named clip-000.wav, ...</summary>
    public static IEnumerable<(string Name, byte[] Content)> Clips(int count, double seconds = 1) =>
        Enumerable.Range(0, count).Select(i => ($"clips/clip-{i:000}.wav", GeneratedAudio.Tone(seconds, 200 + i % 400)));

    public static byte[] Zip(IEnumerable<(string Name, byte[] Content)> members, CompressionLevel level = CompressionLevel.Fastest) =>
        TestArchives.Zip(members, level);

    public static byte[] TarGz(IEnumerable<(string Name, byte[] Content)> members) => TestArchives.TarGz(members);

    public static MultipartFormDataContent ArchiveForm(byte[] archive, string fileName) => TestArchives.Form(archive, fileName);

    /// <summary>POST /batches, expecting 202; returns the batch as answered.</summary>
    public static async Task<JsonObject> CreateAsync(HttpClient client, HttpContent content)
    {
        using var response = await client.PostAsync("/batches", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /batches answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static Task<JsonObject> ReprocessAsync(HttpClient client, object selection) =>
        CreateAsync(client, JsonContent.Create(new { reprocess = selection }));

    public static async Task<JsonObject> GetAsync(HttpClient client, Guid batchId) =>
        JsonNode.Parse(await client.GetStringAsync($"/batches/{batchId}"))!.AsObject();

    public static async Task<JsonObject> WaitUntilEndedAsync(HttpClient client, Guid batchId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var batch = await GetAsync(client, batchId);
            if (batch["status"]!.GetValue<string>() != "running")
            {
                return batch;
            }
            Assert.True(DateTime.UtcNow < deadline, $"batch {batchId} still running: {batch.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Until none of the batch's jobs is queued or running (a cancelled batch's running jobs still finish).</summary>
    public static async Task<JsonObject> WaitUntilAllFinishedAsync(HttpClient client, Guid batchId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var batch = await GetAsync(client, batchId);
            if (batch["status"]!.GetValue<string>() != "running" && Count(batch, "queued") == 0 && Count(batch, "running") == 0)
            {
                return batch;
            }
            Assert.True(DateTime.UtcNow < deadline, $"batch {batchId} not finished: {batch.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every job of the batch, following the <c>next</c> links.</summary>
    public static async Task<List<JsonObject>> AllJobsAsync(HttpClient client, Guid batchId, string? status = null, int limit = 100)
    {
        var jobs = new List<JsonObject>();
        string? next = $"/batches/{batchId}/jobs?limit={limit}" + (status is null ? "" : $"&status={status}");
        while (next is not null)
        {
            var page = JsonNode.Parse(await client.GetStringAsync(next))!;
            jobs.AddRange(page["items"]!.AsArray().Select(item => item!.AsObject()));
            next = page["next"]?.GetValue<string>();
        }
        return jobs;
    }

    public static Guid IdOf(JsonObject node) => node["id"]!.GetValue<Guid>();

    public static int Count(JsonObject batch, string name) => batch["counts"]![name]!.GetValue<int>();
}
