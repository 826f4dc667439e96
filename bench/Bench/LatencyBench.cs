using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reflection;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// Synchronous analysis latency: POST /emotion of a 3 s clip, one request at a time, as a client sees it over HTTP.
/// Without --url the Api runs in this process in embedded mode (SQLite, in-memory bus) on a Kestrel port.
/// </summary>
public static class LatencyBench
{
    public static async Task RunAsync(int requests, int warmup, string? url)
    {
        await using var api = url is null ? StartEmbeddedApi() : null;
        using var client = api?.CreateClient() ?? new HttpClient { BaseAddress = new Uri(url!) };
        client.Timeout = TimeSpan.FromSeconds(60);
        var clip = TestAudio.SpeechLikeWav(seconds: 3);

        for (var i = 0; i < warmup; i++)
        {
            await PostEmotionAsync(client, clip);
        }
        var milliseconds = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await PostEmotionAsync(client, clip);
            milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        milliseconds.Sort();

        Report.Table($"latency: POST /emotion, 3 s WAV, {requests} sequential requests after {warmup} warm-up, {(url is null ? "in-process embedded Api" : url)}; {Report.Machine}",
        [
            ("p50 (ms)", $"{Report.Percentile(milliseconds, 50):F1}"),
            ("p95 (ms)", $"{Report.Percentile(milliseconds, 95):F1}"),
            ("mean (ms)", $"{milliseconds.Average():F1}"),
            ("min (ms)", $"{milliseconds[0]:F1}"),
            ("max (ms)", $"{milliseconds[^1]:F1}"),
        ]);
    }

    internal static KestrelApiFactory StartEmbeddedApi()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("speechemotion-bench-").FullName;
        var api = new KestrelApiFactory(new Dictionary<string, string>
        {
            ["SpeechEmotion:Mode"] = "Embedded",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Analysis:ModelPath"] = BenchPaths.ModelPath,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        api.StartServer();
        return api;
    }

    internal static async Task PostEmotionAsync(HttpClient client, byte[] clip, string fileName = "clip.wav")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(clip);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".wav") ? "audio/wav" : "application/octet-stream");
        form.Add(file, "file", fileName);
        using var response = await client.PostAsync("/emotion", form);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /emotion answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

public static class BenchPaths
{
    public static string RepositoryRoot { get; } = typeof(BenchPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    public static string ModelPath => Path.Combine(RepositoryRoot, "models", "emotion-cnn.onnx");
}
