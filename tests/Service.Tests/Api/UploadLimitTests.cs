using System.Net;
using System.Net.Sockets;
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
        Assert.Single(stored);   // only the earlier job's recording
        Assert.NotNull(await EmbeddedApi.GetJobAsync(client, earlier));
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
    private const long SixtyMegabytes = 60L * 1024 * 1024;

    [Fact]
    public async Task Sixty_megabyte_clip_is_refused_413_without_buffering_it()
    {
        using var api = new EmbeddedApi();
        api.UseKestrel(0);
        api.StartServer();
        using var client = api.CreateClient();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        // POST /emotion's limit (Uploads:MaxClipBytes, 50 MiB); POST /jobs takes calls up to 160 MiB.
        var (status, problem, sent) = await ChunkedUpload.SendAsync(client.BaseAddress!, "/emotion", SixtyMegabytes);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.True(status == 413, $"{status} {problem}");
        Assert.Equal("upload_too_large", JsonNode.Parse(problem)!["code"]!.GetValue<string>());
        Assert.True(sent < SixtyMegabytes, $"the client got to send all {sent} bytes before the answer");
        // Buffering the upload would allocate at least its 50 MB limit; streaming allocates a few buffers.
        Assert.True(allocated < 16 * 1024 * 1024, $"the request allocated {allocated / 1024 / 1024} MB");
        Assert.Empty(Directory.GetFiles(Path.Combine(api.DataDirectory, "recordings")));
        Assert.True(await api.IsReadyAsync(client));
    }

    /// <summary>
    /// HTTP/1.1 by hand over a socket: a chunked multipart body with one huge file field, generated as it is sent,
    /// while the answer is read in parallel. (HttpClient reports the server's early close as a broken pipe instead
    /// of returning the 413 the server already sent.)
    /// </summary>
    private static class ChunkedUpload
    {
        private const string Boundary = "generated-boundary";

        public static async Task<(int Status, string Body, long Sent)> SendAsync(Uri server, string path, long fileBytes)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(server.Host, server.Port);
            var stream = tcp.GetStream();
            var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: multipart/form-data; boundary={Boundary}\r\n" +
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

            using var answered = new CancellationTokenSource();
            var reading = ReadAnswerAsync(stream, answered);
            long sent = 0;
            try
            {
                await WriteChunkAsync(stream, Encoding.ASCII.GetBytes(
                    $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.wav\"\r\n\r\n"), answered.Token);
                var chunk = new byte[64 * 1024];
                for (; sent < fileBytes && !answered.IsCancellationRequested; sent += chunk.Length)
                {
                    await WriteChunkAsync(stream, chunk, answered.Token);
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
                // The server answered and closed: exactly what a refused upload looks like.
            }
            var (status, body) = await reading;
            return (status, body, sent);
        }

        private static async Task WriteChunkAsync(Stream stream, byte[] data, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:X}\r\n"), cancellationToken);
            await stream.WriteAsync(data, cancellationToken);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        private static async Task<(int Status, string Body)> ReadAnswerAsync(Stream stream, CancellationTokenSource answered)
        {
            var received = new MemoryStream();
            var buffer = new byte[8192];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    received.Write(buffer, 0, read);
                    if (IsComplete(received.ToArray()))
                    {
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // Connection reset after the answer arrived.
            }
            answered.Cancel();
            var text = Encoding.UTF8.GetString(received.ToArray());
            var status = text.Length > 12 ? int.Parse(text[9..12]) : 0;
            var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return (status, bodyStart < 0 ? "" : Unchunk(text[(bodyStart + 4)..], text[..bodyStart]));
        }

        private static bool IsComplete(byte[] received)
        {
            var text = Encoding.UTF8.GetString(received);
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd < 0)
            {
                return false;
            }
            var head = text[..headEnd];
            var body = text[(headEnd + 4)..];
            var length = head.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            return length is not null
                ? body.Length >= int.Parse(length["Content-Length:".Length..].Trim())
                : body.Contains("\r\n0\r\n\r\n", StringComparison.Ordinal) || body.StartsWith("0\r\n", StringComparison.Ordinal);
        }

        private static string Unchunk(string body, string head)
        {
            if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            {
                return body;
            }
            var result = new StringBuilder();
            var position = 0;
            while (position < body.Length)
            {
                var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
                var size = Convert.ToInt32(body[position..lineEnd], 16);
                if (size == 0)
                {
                    break;
                }
                result.Append(body, lineEnd + 2, size);
                position = lineEnd + 2 + size + 2;
            }
            return result.ToString();
        }
    }
}
