using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class BadInputTests(TestServers servers)
{
    private sealed record BadUpload(string What, byte[] Content, string FileName, string ExpectedCode);

    private static IEnumerable<BadUpload> BadUploads()
    {
        var wav = TestAudio.SpeechLikeWav(seconds: 2);
        yield return new("empty file", [], "empty.wav", ErrorCodes.EmptyUpload);
        yield return new("text renamed .wav", Encoding.UTF8.GetBytes("This is a meeting note, not a recording.\n"), "note.wav", ErrorCodes.UnsupportedFormat);
        yield return new("WAV header cut at 20 bytes", wav[..20], "truncated.wav", ErrorCodes.CorruptAudio);
        yield return new("0.1 s clip", TestAudio.SpeechLikeWav(seconds: 0.1), "blip.wav", ErrorCodes.TooShort);
        yield return new("3 s of silence", TestAudio.SilenceWav(seconds: 3), "silence.wav", ErrorCodes.NoSpeech);
        yield return new("random bytes named .mp3", TestAudio.RandomBytes(64 * 1024), "noise.mp3", ErrorCodes.UnsupportedFormat);
    }

    [Fact]
    public async Task Each_bad_input_gets_its_code_while_the_service_stays_ready_and_earlier_jobs_remain()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        system.StartWorker("worker-a");
        await system.WaitForListeningWorkersAsync(1);
        var earlierId = await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 3), "earlier.wav");
        var earlier = await system.WaitForFinishedAsync(earlierId);
        JobAssertions.AssertValidResult(earlier);

        // Collect every mismatch before failing, so one run shows the state of all inputs.
        var problems = new List<string>();
        foreach (var upload in BadUploads())
        {
            var code = await CodeForAsync(system, upload.Content, upload.FileName);
            if (code != upload.ExpectedCode) problems.Add($"{upload.What}: expected {upload.ExpectedCode}, got {code}");
            if (!await IsReadyAsync(system)) problems.Add($"{upload.What}: /health/ready is not healthy afterwards");
        }

        var oversized = await OversizedUploadAsync(system);
        if (oversized is not null) problems.Add(oversized);
        if (!await IsReadyAsync(system)) problems.Add("170 MiB upload: /health/ready is not healthy afterwards");

        var earlierAgain = await system.GetJobAsync(earlierId);
        Assert.Equal(earlier.ToJsonString(), earlierAgain.ToJsonString());
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems) + Environment.NewLine + system.WorkerOutput());
    }

    /// <summary>
    /// The error code for an upload wherever it is found: the Api may refuse it at once (problem details with a
    /// <c>code</c>), or accept it and let the worker fail the job (<c>error.code</c>). Either is a valid design; the code
    /// must be the right one in both.
    /// </summary>
    private static async Task<string> CodeForAsync(DistributedSystem system, byte[] content, string fileName)
    {
        using var response = await system.PostJobAsync(content, fileName);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            var isClientError = (int)response.StatusCode is >= 400 and < 500;
            return isClientError ? ProblemCodeOf(body) : $"HTTP {(int)response.StatusCode}: {body}";
        }
        var id = JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
        var job = await system.WaitForFinishedAsync(id);
        if (DistributedSystem.StatusOf(job) != "failed") return $"job {DistributedSystem.StatusOf(job)}";
        return job["error"]?["code"]?.GetValue<string>() ?? "(job failed without error.code)";
    }

    /// <summary>An upload over Uploads:MaxBytes must be refused with 413 and the upload_too_large code; returns the problem, or null when right.</summary>
    private static async Task<string?> OversizedUploadAsync(DistributedSystem system)
    {
        // Over Uploads:MaxBytes (160 MiB, room for two hours of stereo G.711); refused from Content-Length
        // (Expect: 100-continue), so the body is never sent.
        var oversized = new byte[170 * 1024 * 1024];
        TestAudio.SpeechLikeWav(seconds: 1).CopyTo(oversized, 0);
        try
        {
            using var response = await system.PostJobAsync(oversized, "huge.wav", expectContinue: true);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.RequestEntityTooLarge) return $"170 MiB upload: expected 413, got {(int)response.StatusCode}: {body}";
            var code = ProblemCodeOf(body);
            return code == ErrorCodes.UploadTooLarge ? null : $"170 MiB upload: expected code {ErrorCodes.UploadTooLarge}, got {code}";
        }
        catch (HttpRequestException e)
        {
            // A server that answers 413 and closes the connection mid-upload can surface as a reset here.
            return $"170 MiB upload: no HTTP answer ({e.Message})";
        }
    }

    private static string ProblemCodeOf(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["code"]?.GetValue<string>() ?? $"(no code in: {body})";
        }
        catch (System.Text.Json.JsonException)
        {
            return $"(not JSON: {body})";
        }
    }

    private static async Task<bool> IsReadyAsync(DistributedSystem system)
    {
        using var response = await system.Client.GetAsync("/health/ready");
        return response.StatusCode == HttpStatusCode.OK;
    }
}
