using System.Diagnostics;
using System.Text;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>
/// Bodies that stall, trickle or break their framing, against a real Kestrel: each is answered with a 4xx problem
/// within seconds (not held for minutes), and its temporary file is gone right after.
/// </summary>
public sealed class SlowUploadTests : IDisposable
{
    private const string Boundary = "slow-boundary";
    private readonly TempFolder _spool = new("speech-emotion-spool-");

    [Fact]
    public async Task An_upload_that_stops_sending_is_dropped_408_and_its_temporary_file_deleted()
    {
        using var api = OnKestrel(new() { ["Uploads:BodyIdleTimeout"] = "00:00:01" });
        using var connection = await RawHttpConnection.OpenAsync(Address(api));
        await connection.WriteAsync(Head(api, contentLength: 200_000) + FilePartHead());
        await connection.WriteAsync(new byte[10_000]);
        await WaitForSpooledFile();

        var clock = Stopwatch.StartNew();
        var answer = await connection.ReadAnswerAsync(TimeSpan.FromSeconds(20));

        answer.AssertProblem(408, "upload_timeout");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered after {clock.Elapsed}");
        await AssertNothingLeft(api);
    }

    [Fact]
    public async Task An_upload_trickling_below_the_minimum_rate_is_dropped_408()
    {
        using var api = OnKestrel(new()
        {
            ["Uploads:MinBodyBytesPerSecond"] = "1000",
            ["Uploads:MinBodyRateGracePeriod"] = "00:00:02",
        });
        using var connection = await RawHttpConnection.OpenAsync(Address(api));
        await connection.WriteAsync(Head(api, contentLength: 200_000) + FilePartHead());

        var clock = Stopwatch.StartNew();
        var answer = await TrickleUntilAnswered(connection, bytesPerTick: 20, clock);

        answer.AssertProblem(408, "upload_timeout");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"answered after {clock.Elapsed}");
        await AssertNothingLeft(api);
    }

    [Fact]
    public async Task An_upload_that_outlasts_the_time_limit_is_dropped_408()
    {
        using var api = OnKestrel(new()
        {
            ["Uploads:MaxUploadDuration"] = "00:00:02",
            ["Uploads:MinBodyBytesPerSecond"] = "10",
        });
        using var connection = await RawHttpConnection.OpenAsync(Address(api));
        await connection.WriteAsync(Head(api, contentLength: 200_000) + FilePartHead());

        var clock = Stopwatch.StartNew();
        var answer = await TrickleUntilAnswered(connection, bytesPerTick: 200, clock);

        answer.AssertProblem(408, "upload_timeout");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
        await AssertNothingLeft(api);
    }

    [Fact]
    public async Task Broken_chunked_framing_is_a_problem_not_a_bare_400()
    {
        using var api = OnKestrel();
        using var connection = await RawHttpConnection.OpenAsync(Address(api));
        var head = $"POST /jobs HTTP/1.1\r\nHost: {Address(api).Authority}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await connection.WriteAsync(head);
        await connection.WriteChunkAsync(Encoding.ASCII.GetBytes(FilePartHead()));
        await connection.WriteAsync("this is not a chunk size\r\n\r\n");

        var answer = await connection.ReadAnswerAsync(TimeSpan.FromSeconds(10));

        var problem = answer.AssertProblem(400, "invalid_request");
        Assert.DoesNotContain("chunk", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);   // Kestrel's own words stay in
        await AssertNothingLeft(api);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off()
    {
        using var api = OnKestrel(new() { ["Uploads:RequestHeadersTimeout"] = "00:00:01" });
        using var connection = await RawHttpConnection.OpenAsync(Address(api));
        await connection.WriteAsync($"POST /jobs HTTP/1.1\r\nHost: {Address(api).Authority}\r\nContent-Type: multipart/");

        var clock = Stopwatch.StartNew();
        // Kestrel answers this one itself, before any of the Api runs: a bare 408 and a closed connection.
        var answer = await connection.ReadAnswerAsync(TimeSpan.FromSeconds(20));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"connection held for {clock.Elapsed} (answer {answer.Status})");
    }

    private static Uri Address(EmbeddedApi api)
    {
        using var client = api.CreateClient();
        return client.BaseAddress!;
    }

    private EmbeddedApi OnKestrel(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Uploads:TemporaryDirectory"] = _spool.Root;
        return EmbeddedApi.OnKestrel(settings);
    }

    private static string Head(EmbeddedApi api, int contentLength) =>
        $"POST /jobs HTTP/1.1\r\nHost: {Address(api).Authority}\r\n" +
        $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {contentLength}\r\n\r\n";

    private static string FilePartHead() =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.wav\"\r\n\r\n";

    /// <summary>Sends a few bytes every 100 ms until the server answers (or 20 s pass).</summary>
    private static async Task<RawHttpAnswer> TrickleUntilAnswered(RawHttpConnection connection, int bytesPerTick, Stopwatch clock)
    {
        var reading = connection.ReadAnswerAsync(TimeSpan.FromSeconds(20));
        try
        {
            while (!reading.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await connection.WriteAsync(new byte[bytesPerTick]);
                await Task.WhenAny(reading, Task.Delay(100));
            }
        }
        catch (IOException)
        {
            // The server answered and closed the connection.
        }
        return await reading;
    }

    private async Task WaitForSpooledFile()
    {
        for (var waited = 0; Directory.GetFiles(_spool.Root).Length == 0; waited += 20)
        {
            Assert.True(waited < 5000, "the upload never reached its temporary file");
            await Task.Delay(20);
        }
    }

    private async Task AssertNothingLeft(EmbeddedApi api)
    {
        // The temporary file is deleted as the request ends, which may be a moment after the answer left.
        for (var waited = 0; Directory.GetFiles(_spool.Root).Length > 0; waited += 20)
        {
            Assert.True(waited < 2000, $"temporary files left: {string.Join(", ", Directory.GetFiles(_spool.Root).Select(Path.GetFileName))}");
            await Task.Delay(20);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(api.DataDirectory, "recordings")));
        using var client = api.CreateClient();
        Assert.True(await api.IsReadyAsync(client));
    }

    public void Dispose() => _spool.Dispose();
}
