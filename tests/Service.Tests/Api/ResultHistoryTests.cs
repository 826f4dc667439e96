using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>A job keeps every result it had: reprocessing appends, GET /jobs/{id} shows the newest, /results lists all.</summary>
public sealed class ResultHistoryTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Reprocessing_a_finished_job_appends_a_second_result_and_keeps_the_first()
    {
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(2));
        var first = await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        Assert.True(await RequeueAsync(id));
        var history = await WaitForResultsAsync(client, id, count: 2);
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        Assert.Equal("succeeded", first["status"]!.GetValue<string>());
        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());   // attempts count the current run
        var items = history["items"]!.AsArray();
        var newest = items[0]!.AsObject();
        var oldest = items[1]!.AsObject();
        Assert.True(newest["createdAt"]!.GetValue<DateTime>() > oldest["createdAt"]!.GetValue<DateTime>(), history.ToJsonString());
        Assert.Equal(first["result"]!.ToJsonString(), oldest["result"]!.ToJsonString());
        Assert.Equal(job["result"]!.ToJsonString(), newest["result"]!.ToJsonString());
        Assert.All(items, item => Assert.Equal(item!["result"]!["modelVersion"]!.GetValue<string>(), item["modelVersion"]!.GetValue<string>()));
        Assert.True(job["completedAt"]!.GetValue<DateTime>() > first["completedAt"]!.GetValue<DateTime>());
        Assert.Equal($"/jobs/{id}/results", job["links"]!["results"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_still_queued_or_running_is_not_requeued()
    {
        var id = await api.SeedAsync(_ => { });   // queued, never published

        Assert.False(await RequeueAsync(id));
        Assert.False(await RequeueAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task The_recording_is_one_record_with_its_own_id_and_facts()
    {
        using var client = api.CreateClient();
        var audio = GeneratedAudio.Tone(1);
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, audio, "tone.wav"));

        var recording = job["recording"]!.AsObject();
        var recordingId = recording["id"]!.GetValue<Guid>();
        Assert.NotEqual(job["id"]!.GetValue<Guid>(), recordingId);
        Assert.Equal("tone.wav", recording["fileName"]!.GetValue<string>());
        Assert.Equal(audio.Length, recording["sizeBytes"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(audio)), recording["sha256"]!.GetValue<string>());
        Assert.Equal("stored", recording["audio"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(api.DataDirectory, "recordings", $"{recordingId:N}.audio")), "the store is keyed by recording id");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("not-a-job-id")]
    public async Task Results_of_an_unknown_job_are_a_404_problem(string id)
    {
        using var client = api.CreateClient();
        await (await client.GetAsync($"/jobs/{id}/results")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
    }

    private async Task<bool> RequeueAsync(Guid id)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RequeueForReprocessingAsync(id, CancellationToken.None);
    }

    private static async Task<JsonObject> WaitForResultsAsync(HttpClient client, Guid id, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync($"/jobs/{id}/results");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var history = JsonNode.Parse(body)!.AsObject();
            if (history["items"]!.AsArray().Count >= count)
            {
                return history;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job {id} has {history["items"]!.AsArray().Count} results: {body}");
            await Task.Delay(20);
        }
    }
}
