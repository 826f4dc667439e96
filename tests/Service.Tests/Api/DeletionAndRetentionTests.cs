using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Retention;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>DELETE /jobs/{id}, Retention:AudioDays, and rejected audio that is not kept.</summary>
public sealed class DeletionAndRetentionTests
{
    [Fact]
    public async Task Deleting_a_job_removes_its_audio_results_and_recording_then_it_is_404()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var recordingId = job["recording"]!["id"]!.GetValue<Guid>();
        Assert.True(File.Exists(AudioPath(api, recordingId)));
        var other = await api.SubmitAsync(client, GeneratedAudio.Tone(1));   // must not be touched

        using var deleted = await client.DeleteAsync($"/jobs/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await client.GetAsync($"/jobs/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        await (await client.GetAsync($"/jobs/{id}/results")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        await (await client.DeleteAsync($"/jobs/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        Assert.False(File.Exists(AudioPath(api, recordingId)), "the audio must be gone from the store");
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            Assert.False(await db.JobResults.AnyAsync(r => r.JobId == id));
            Assert.False(await db.Recordings.AnyAsync(r => r.Id == recordingId));
        }
        Assert.Equal("succeeded", (await EmbeddedApi.WaitUntilFinishedAsync(client, other))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("not-a-job-id")]
    public async Task Deleting_an_unknown_job_is_a_404_problem(string id)
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        await (await client.DeleteAsync($"/jobs/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
    }

    [Fact]
    public async Task Retention_deletes_audio_past_its_age_and_keeps_the_results()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Retention:AudioDays"] = "30" });
        using var client = api.CreateClient();
        var old = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1)));
        var young = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1)));
        var oldId = old["id"]!.GetValue<Guid>();
        var oldRecording = old["recording"]!["id"]!.GetValue<Guid>();
        var youngRecording = young["recording"]!["id"]!.GetValue<Guid>();
        var waiting = await api.SeedAsync(_ => { });   // queued: its audio is about to be read
        await BackdateRecordingOf(api, oldId, days: 31);
        await BackdateRecordingOf(api, waiting, days: 31);

        var first = await SweepRetention(api);
        var second = await SweepRetention(api);
        var after = await EmbeddedApi.GetJobAsync(client, oldId);

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        Assert.Equal("deleted", after["recording"]!["audio"]!.GetValue<string>());
        Assert.NotNull(after["recording"]!["audioDeletedAt"]);
        Assert.Equal(old["result"]!.ToJsonString(), after["result"]!.ToJsonString());
        Assert.Equal(old["recording"]!["sha256"]!.GetValue<string>(), after["recording"]!["sha256"]!.GetValue<string>());
        Assert.False(File.Exists(AudioPath(api, oldRecording)));
        Assert.True(File.Exists(AudioPath(api, youngRecording)));
        Assert.Equal("stored", (await EmbeddedApi.GetJobAsync(client, waiting))["recording"]!["audio"]!.GetValue<string>());
        Assert.False(await RequeueAsync(api, oldId), "a job whose audio is gone cannot be reprocessed");
    }

    [Theory]
    [InlineData("silence")]
    [InlineData("not audio")]
    public async Task Audio_rejected_as_invalid_is_not_kept(string what)
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        var (content, fileName, code) = what == "silence"
            ? (GeneratedAudio.Silence(2), "silence.wav", "no_speech")
            : (GeneratedAudio.RandomBytes(4000), "noise.mp3", "unsupported_format");

        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, content, fileName));

        Assert.Equal(code, job["error"]!["code"]!.GetValue<string>());
        Assert.Equal("deleted", job["recording"]!["audio"]!.GetValue<string>());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(api.DataDirectory, "recordings")));
    }

    private static string AudioPath(EmbeddedApi api, Guid recordingId) =>
        Path.Combine(api.DataDirectory, "recordings", $"{recordingId:N}.audio");

    private static async Task BackdateRecordingOf(EmbeddedApi api, Guid jobId, int days)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var recordingId = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.RecordingId).SingleAsync();
        var then = DateTime.UtcNow.AddDays(-days);
        await db.Recordings.Where(r => r.Id == recordingId).ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, then));
    }

    private static async Task<int> SweepRetention(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AudioRetention>().SweepOnceAsync(CancellationToken.None);
    }

    private static async Task<bool> RequeueAsync(EmbeddedApi api, Guid id)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RequeueForReprocessingAsync(id, CancellationToken.None);
    }
}
