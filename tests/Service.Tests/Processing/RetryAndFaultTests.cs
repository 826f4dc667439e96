using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

public sealed class RetryAndFaultTests
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Processing:RetryIntervals:0"] = "00:00:00.010",
        ["Processing:RetryIntervals:1"] = "00:00:00.010",
        ["Processing:RetryIntervals:2"] = "00:00:00.010",
    };

    [Fact]
    public async Task Transient_failure_is_retried_then_the_faulted_job_is_failed_and_the_service_stays_up()
    {
        CountingRecordingStore? store = null;
        using var api = EmbeddedApi.With(FastRetries, services => services.AddSingleton<RecordingStore>(provider =>
            store = new CountingRecordingStore(Path.Combine(FolderOf(provider), "recordings"), new IOException("disk hiccup"))));
        using var client = api.CreateClient();

        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("processing_failed", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(4, store!.Opens);   // the first try and three retries
        Assert.True(await api.IsReadyAsync(client));
    }

    [Fact]
    public async Task Rejected_audio_is_never_retried()
    {
        CountingRecordingStore? store = null;
        using var api = EmbeddedApi.With(FastRetries, services => services.AddSingleton<RecordingStore>(provider =>
            store = new CountingRecordingStore(Path.Combine(FolderOf(provider), "recordings"))));
        using var client = api.CreateClient();

        var id = await api.SubmitAsync(client, GeneratedAudio.Silence(2));
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var good = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1)));

        Assert.Equal("no_speech", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, (await api.ReadJobRowAsync(id)).Attempts);
        Assert.Equal("succeeded", good["status"]!.GetValue<string>());
        Assert.Equal(2, store!.Opens);   // once per job
    }

    private static string FolderOf(IServiceProvider provider) =>
        provider.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Storage:DataDirectory"]!;
}
