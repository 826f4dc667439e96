using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

public sealed class SmallUploadLimitTests
{
    [Fact]
    public async Task Upload_over_the_configured_limit_is_413_and_stores_nothing()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Uploads:MaxBytes"] = "1000" });
        using var client = api.CreateClient();
        var earlier = await api.SubmitAsync(client, GeneratedAudio.Tone(0.01));   // 364 bytes: under the limit

        // 3 s of audio (96 kB): under the Content-Length allowance, so the streaming check is what refuses it.
        using var streamed = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(3)));
        // 2 MB: refused from Content-Length alone, before the body is read.
        using var declared = await client.PostAsync("/jobs", EmbeddedApi.Upload(new byte[2_000_000]));

        foreach (var response in new[] { streamed, declared })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} {body}");
            Assert.Equal("upload_too_large", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        }
        var stored = Directory.GetFiles(Path.Combine(api.DataDirectory, "recordings"));
        var earlierJob = await EmbeddedApi.GetJobAsync(client, earlier);
        var earlierAudio = Path.Combine(api.DataDirectory, "recordings", $"{earlierJob["recording"]!["id"]!.GetValue<Guid>():N}.audio");
        // Only the earlier job's audio, if any: it is too short, and audio rejected as invalid is not kept once its job fails.
        Assert.All(stored, path => Assert.Equal(earlierAudio, path));
        Assert.True(await api.IsReadyAsync(client));
    }
}

[CollectionDefinition(nameof(MemoryMeasuringCollection), DisableParallelization = true)]
public sealed class MemoryMeasuringCollection;

/// <summary>
/// Runs alone (no parallel tests) because it measures the allocations of the whole test process.
/// A real Kestrel socket, a chunked body (no Content-Length to refuse it early): the Api has to stream it.
/// </summary>
[Collection(nameof(MemoryMeasuringCollection))]
public sealed class LargeUploadStreamingTests
{
    // Far over the 50 MiB limit: the client never gets to send it all once the server cuts the upload off at the
    // limit (what it sends past the limit is only what the socket buffers and Kestrel's drain swallow, a few MB; with
    // a body just over the limit, a client starved of CPU could send it all before it saw the answer).
    private const long BodyBudget = 256L * 1024 * 1024;

    [Fact]
    public async Task A_clip_over_the_limit_is_refused_413_early_without_buffering_it()
    {
        using var api = EmbeddedApi.OnKestrel();
        using var client = api.CreateClient();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        // POST /emotion's limit (Uploads:MaxClipBytes, 50 MiB); POST /jobs takes calls up to 160 MiB.
        var (answer, sent) = await SendChunkedAsync(client.BaseAddress!, "/emotion", BodyBudget);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.True(answer.Status == 413, $"{answer.Status} {answer.Body}");
        Assert.Equal("upload_too_large", JsonNode.Parse(answer.Body)!["code"]!.GetValue<string>());
        Assert.True(sent < BodyBudget, $"the server read all {sent} bytes instead of cutting the upload off at its limit");
        // Buffering the upload would allocate at least its 50 MB limit; streaming allocates a few buffers.
        Assert.True(allocated < 16 * 1024 * 1024, $"the request allocated {allocated / 1024 / 1024} MB");
        Assert.Empty(Directory.GetFiles(Path.Combine(api.DataDirectory, "recordings")));
        Assert.True(await api.IsReadyAsync(client));
    }

    /// <summary>
    /// A chunked multipart body with one huge file field, generated as it is sent, while the answer is read in
    /// parallel; sending stops once the server answered.
    /// </summary>
    private static async Task<(RawHttpAnswer Answer, long Sent)> SendChunkedAsync(Uri server, string path, long fileBytes)
    {
        const string boundary = "generated-boundary";
        using var connection = await RawHttpConnection.OpenAsync(server);
        await connection.WriteAsync($"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\n" +
            $"Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");

        var reading = connection.ReadAnswerAsync(TimeSpan.FromSeconds(60));
        // A write blocks once the server stops reading (full TCP window): the answer must cancel it.
        using var answered = new CancellationTokenSource();
        var cancelOnAnswer = reading.ContinueWith(_ => answered.Cancel(), TaskScheduler.Default);
        long sent = 0;
        try
        {
            await connection.WriteChunkAsync(Encoding.ASCII.GetBytes(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.wav\"\r\n\r\n"), answered.Token);
            var chunk = new byte[64 * 1024];
            for (; sent < fileBytes && !answered.IsCancellationRequested; sent += chunk.Length)
            {
                await connection.WriteChunkAsync(chunk, answered.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The server answered and closed: exactly what a refused upload looks like.
        }
        await cancelOnAnswer;
        return (await reading, sent);
    }
}
