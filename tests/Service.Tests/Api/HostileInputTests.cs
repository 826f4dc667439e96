using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>
/// Input made to break the service (issue 7): each case ends as a 4xx problem with its stable code within a second
/// or two, never a 500, a retry loop or a stall, and jobs already stored stay readable.
/// </summary>
public sealed class HostileInputTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(float.NaN, 16000)]
    [InlineData(float.PositiveInfinity, 16000)]
    [InlineData(float.NegativeInfinity, 16000)]
    [InlineData(1e30f, 16000)]
    [InlineData(float.NaN, 8000)]          // not the managed path: ffmpeg resamples it
    [InlineData(float.PositiveInfinity, 8000)]
    public async Task Float_wav_with_a_non_finite_or_huge_sample_is_corrupt_audio_at_once_and_never_retried(float poison, int sampleRate)
    {
        using var client = api.CreateClient();
        var earlier = await StoredJobAsync(client);
        var samples = GeneratedAudio.ToneSamples(2);
        samples[samples.Length / 2] = poison;

        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.FloatWav(samples, sampleRate)));
        clock.Stop();

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "corrupt_audio");
        Assert.True(clock.Elapsed < Promptly, $"answered after {clock.Elapsed}");
        Assert.Equal(1, (await api.ReadJobRowAsync(problem["jobId"]!.GetValue<Guid>())).Attempts);
        await AssertStillServes(client, earlier);
    }

    public static TheoryData<string, string> UnservableMetadata => new()
    {
        { "nested 63 levels", Nested(63) },
        { "nested 33 levels", Nested(33) },
        { "nested 1000 levels", Nested(1000) },
        { "lone high surrogate in a value", """{"caller":"\ud800"}""" },
        { "lone low surrogate in a name", """{"\udc00":1}""" },
        { "over 64 KB", $$"""{"notes":"{{new string('x', 70_000)}}"}""" },
        { "a JSON array", "[1,2,3]" },
        { "two objects", "{}{}" },
    };

    [Theory]
    [MemberData(nameof(UnservableMetadata))]
    public async Task Metadata_that_could_not_be_served_back_is_invalid_metadata_and_stores_nothing(string what, string metadata)
    {
        using var client = api.CreateClient();
        var earlier = await StoredJobAsync(client);
        var recordingsBefore = StoredRecordings();

        using var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1), metadata: metadata));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_metadata", what);
        Assert.Equal(recordingsBefore, StoredRecordings());
        await AssertStillServes(client, earlier);
    }

    [Fact]
    public async Task Metadata_that_is_not_valid_utf8_is_invalid_metadata()
    {
        using var client = api.CreateClient();
        using var form = EmbeddedApi.Upload(GeneratedAudio.Tone(1));
        byte[] invalidUtf8 = [.. "{\"caller\":\""u8, 0xC3, 0x28, 0xED, 0xA0, 0x80, .. "\"}"u8];
        form.Add(new ByteArrayContent(invalidUtf8), "metadata");

        await (await client.PostAsync("/jobs", form)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_metadata");
    }

    [Fact]
    public async Task Metadata_at_the_depth_limit_is_kept_and_served_back()
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1), metadata: Nested(32)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);

        var job = await EmbeddedApi.GetJobAsync(client, JsonNode.Parse(body)!["id"]!.GetValue<Guid>());

        Assert.Equal(Nested(32), job["metadata"]!.ToJsonString());
    }

    public static TheoryData<string> StoredUnservableMetadata => new() { """{"caller":"\ud800"}""", Nested(100) };

    [Theory]
    [MemberData(nameof(StoredUnservableMetadata))]
    public async Task A_stored_job_whose_metadata_cannot_be_served_still_answers_without_it(string storedMetadata)
    {
        using var client = api.CreateClient();
        var id = await api.SeedAsync(job => job.MetadataJson = storedMetadata);

        var job = await EmbeddedApi.GetJobAsync(client, id);

        Assert.Null(job["metadata"]);
        Assert.Equal(storedMetadata, (await api.ReadJobRowAsync(id)).MetadataJson);
    }

    [Fact]
    public async Task A_4000_character_multipart_boundary_is_malformed_multipart()
    {
        using var client = api.CreateClient();
        var boundary = new string('b', 4000);
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF\r\n--{boundary}--\r\n";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");

        await (await client.PostAsync("/jobs", content)).AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_multipart");
    }

    [Fact]
    public async Task A_300_character_file_name_keeps_its_extension()
    {
        using var client = api.CreateClient();
        var fileName = new string('n', 296) + ".wav";

        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, await api.SubmitAsync(client, GeneratedAudio.Tone(1), fileName));

        Assert.True(job["status"]!.GetValue<string>() == "succeeded", job.ToJsonString());
        var stored = job["recording"]!["fileName"]!.GetValue<string>();
        Assert.EndsWith(".wav", stored);
        Assert.Equal(255, stored.Length);
    }

    [Fact]
    public async Task Details_do_not_echo_what_the_client_sent()
    {
        using var client = api.CreateClient();
        const string markup = "<img src=x onerror=alert(1)>";

        using var unknownJob = await client.GetAsync($"/jobs/{Uri.EscapeDataString(markup)}");
        using var badExtension = await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.Tone(1), "clip." + markup));

        var notFound = await unknownJob.AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        var unsupported = await badExtension.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "unsupported_format");
        Assert.DoesNotContain("onerror", notFound["detail"]!.GetValue<string>());
        Assert.DoesNotContain("onerror", unsupported["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_file_name_with_line_breaks_reaches_the_logs_and_the_job_encoded()
    {
        var logs = new CapturedLogs();
        using var logged = EmbeddedApi.With(new Dictionary<string, string?>(), logs.AddTo);
        using var client = logged.CreateClient();
        var form = EmbeddedApi.Upload(GeneratedAudio.Tone(1));
        // RFC 5987 lets a client percent-encode any byte into the name, CR and LF included.
        form.First().Headers.ContentDisposition = ContentDispositionHeaderValue.Parse(
            "form-data; name=\"file\"; filename*=UTF-8''call%0D%0AFAKE%20ENTRY%00.wav");

        using var response = await client.PostAsync("/jobs", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);

        var job = await EmbeddedApi.GetJobAsync(client, JsonNode.Parse(body)!["id"]!.GetValue<Guid>());
        var storedName = job["recording"]!["fileName"]!.GetValue<string>();
        Assert.DoesNotContain(storedName, char.IsControl);
        Assert.EndsWith(".wav", storedName);
        var mentions = logs.Messages.Where(message => message.Contains("FAKE ENTRY")).ToList();
        Assert.NotEmpty(mentions);
        Assert.All(mentions, message => Assert.DoesNotContain(message, char.IsControl));
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("""{"a":""", depth)) + "1" + new string('}', depth);

    private async Task<Guid> StoredJobAsync(HttpClient client)
    {
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        return id;
    }

    private int StoredRecordings() => Directory.GetFiles(Path.Combine(api.DataDirectory, "recordings")).Length;

    private async Task AssertStillServes(HttpClient client, Guid earlier)
    {
        Assert.True(await api.IsReadyAsync(client), "/health/ready is not healthy after the hostile request");
        Assert.Equal("succeeded", (await EmbeddedApi.GetJobAsync(client, earlier))["status"]!.GetValue<string>());
    }
}
