using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>Every bad upload gets its stable code, never a 500, and leaves the service healthy and earlier jobs readable.</summary>
public sealed class BadInputTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Theory]
    [InlineData("empty file", 400, "empty_upload")]
    [InlineData("text renamed .wav", 422, "unsupported_format")]
    [InlineData("truncated WAV header", 422, "corrupt_audio")]
    [InlineData("0.1 s clip", 422, "too_short")]
    [InlineData("3 s of silence", 422, "no_speech")]
    [InlineData("random bytes named .mp3", 422, "unsupported_format")]
    public async Task Bad_upload_gets_its_code_and_harms_nothing(string what, int expectedStatus, string expectedCode)
    {
        using var client = api.CreateClient();
        var earlier = await api.SubmitAsync(client, GeneratedAudio.Tone(2));
        await EmbeddedApi.WaitUntilFinishedAsync(client, earlier);
        var (content, fileName) = BadUpload(what);

        using var response = await client.PostAsync("/emotion", EmbeddedApi.Upload(content, fileName));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == expectedStatus, $"{what}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expectedCode, JsonNode.Parse(body)!["code"]!.GetValue<string>());
        Assert.True(await api.IsReadyAsync(client), "/health/ready is not healthy after the bad upload");
        var earlierJob = await EmbeddedApi.GetJobAsync(client, earlier);
        Assert.Equal("succeeded", earlierJob["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_audio_submitted_as_a_job_fails_the_job_with_its_code()
    {
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(0.1));

        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("too_short", job["error"]!["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(job["error"]!["message"]!.GetValue<string>()));
        Assert.Null(job["result"]);
    }

    [Fact]
    public async Task Form_without_a_file_field_is_missing_file()
    {
        using var client = api.CreateClient();
        using var form = new MultipartFormDataContent { { new StringContent("{}"), "metadata" } };

        await (await client.PostAsync("/jobs", form)).AssertProblemAsync(HttpStatusCode.BadRequest, "missing_file");
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"text\"")]
    [InlineData("{not json")]
    public async Task Metadata_that_is_not_a_json_object_is_invalid_metadata(string metadata)
    {
        using var client = api.CreateClient();

        var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1), metadata: metadata));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_metadata");
    }

    [Theory]
    [InlineData("ftp://example.com/hook")]
    [InlineData("/relative/hook")]
    [InlineData("not a url")]
    public async Task Callback_url_that_is_not_absolute_http_is_invalid_callback_url(string callbackUrl)
    {
        using var client = api.CreateClient();

        var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1), callbackUrl: callbackUrl));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_callback_url");
    }

    [Fact]
    public async Task Body_that_is_not_multipart_is_refused_with_a_problem()
    {
        using var client = api.CreateClient();
        using var json = new StringContent("""{"file":"nope"}""", Encoding.UTF8, "application/json");

        await (await client.PostAsync("/jobs", json)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "not_multipart");
    }

    [Fact]
    public async Task Truncated_multipart_body_is_malformed_multipart()
    {
        using var client = api.CreateClient();
        var body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF....";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        await (await client.PostAsync("/jobs", content)).AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_multipart");
    }

    private static (byte[] Content, string FileName) BadUpload(string what) => what switch
    {
        "empty file" => ([], "clip.wav"),
        "text renamed .wav" => (Encoding.UTF8.GetBytes("This is a text file pretending to be a recording, nothing more."), "clip.wav"),
        "truncated WAV header" => (GeneratedAudio.Tone(1)[..30], "clip.wav"),
        "0.1 s clip" => (GeneratedAudio.Tone(0.1), "clip.wav"),
        "3 s of silence" => (GeneratedAudio.Silence(3), "clip.wav"),
        "random bytes named .mp3" => (GeneratedAudio.RandomBytes(4096), "clip.mp3"),
        _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
    };
}
