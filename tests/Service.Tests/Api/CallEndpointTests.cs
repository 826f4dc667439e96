using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>Long stereo calls through POST /jobs: the channels and channelNames fields, the channel blocks, segments and the timeline.</summary>
public sealed class CallEndpointTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    private const double Tolerance = 0.3;

    [Fact]
    public async Task A_split_stereo_call_gets_one_named_block_per_channel_with_segments_on_request()
    {
        using var client = api.CreateClient();
        var id = await SubmitCallAsync(client, GeneratedCalls.StereoMuLaw(repeats: 3), "split", "agent,customer");
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));
        var detailed = await GetJsonAsync(client, $"/jobs/{id}?include=segments");

        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        var channels = job["result"]!["channels"]!.AsArray();
        Assert.Equal(["agent", "customer"], channels.Select(c => c!["name"]!.GetValue<string>()));
        Assert.All(channels, c => Assert.Null(c!["segments"]));   // only with ?include=segments
        Assert.Equal(2, job["result"]!["audio"]!["channels"]!.GetValue<int>());
        Assert.Equal(0, job["result"]!["call"]!["overlapCount"]!.GetValue<int>());

        // Channels kept apart: the agent's segments lie on the agent's turns only, the customer's on the customer's.
        var blocks = detailed["result"]!["channels"]!.AsArray();
        AssertSegmentsWithin(blocks[0]!, GeneratedCalls.AgentAt, 3);
        AssertSegmentsWithin(blocks[1]!, GeneratedCalls.CustomerAt, 3);
    }

    [Fact]
    public async Task The_README_stereo_sample_split_puts_each_speaker_on_their_own_channel_and_says_neutral()
    {
        // samples/call-stereo-8khz-mulaw.wav (samples/README.md): agent on the left at 0.5-5.0 s and 10.8-16.1 s,
        // customer on the right at 5.5-10.3 s and 16.5-17.5 s. The README's split example is this job.
        using var client = api.CreateClient();
        var wav = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "call-stereo-8khz-mulaw.wav"));
        var id = await SubmitCallAsync(client, wav, "split", "agent,customer");
        await EmbeddedApi.WaitUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));
        var result = (await GetJsonAsync(client, $"/jobs/{id}?include=segments"))["result"]!;

        Assert.Equal(0, result["call"]!["overlapCount"]!.GetValue<int>());
        var blocks = result["channels"]!.AsArray();
        AssertSegmentsOn(blocks[0]!, [(0.5, 5.0), (10.8, 16.1)]);
        AssertSegmentsOn(blocks[1]!, [(5.5, 10.3), (16.5, 17.5)]);
        // A flat synthetic voice: neutral for the call and for each speaker (what the README shows).
        Assert.All(blocks.Append(result), block => Assert.Equal("neutral", block!["emotion"]!.GetValue<string>()));
    }

    private static void AssertSegmentsOn(JsonNode block, (double Start, double End)[] turns)
    {
        var segments = block["segments"]!.AsArray();
        Assert.NotEmpty(segments);
        foreach (var segment in segments)
        {
            var (start, end) = (segment!["start"]!.GetValue<double>(), segment["end"]!.GetValue<double>());
            Assert.True(turns.Any(turn => start >= turn.Start - Tolerance && end <= turn.End + Tolerance),
                $"{block["name"]} segment {start}-{end} is off its channel's turns");
        }
    }

    [Fact]
    public async Task A_mixed_call_gets_one_block_and_the_whole_call_answer()
    {
        using var client = api.CreateClient();
        var id = await SubmitCallAsync(client, GeneratedCalls.StereoMuLaw(), channels: null, channelNames: null);
        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));

        var result = job["result"]!;
        var block = Assert.Single(result["channels"]!.AsArray());
        Assert.Equal("mix", block!["name"]!.GetValue<string>());
        Assert.Equal(result["emotion"]!.GetValue<string>(), block["emotion"]!.GetValue<string>());
        Assert.Equal(7, result["probabilities"]!.AsObject().Count);
    }

    [Theory]
    [InlineData("stereo", null, "invalid_channels")]
    [InlineData("split", "agent,,customer", "invalid_channel_names")]
    [InlineData("split", "agent,agent", "invalid_channel_names")]
    [InlineData("split", "agent;drop table", "invalid_channel_names")]
    [InlineData("mix", "agent,customer", "invalid_channel_names")]
    public async Task Bad_channel_fields_are_400_with_a_stable_code(string? channels, string? channelNames, string code)
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/jobs", Form(GeneratedAudio.Tone(1), channels, channelNames));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_include_is_400()
    {
        using var client = api.CreateClient();
        var id = await api.SeedAsync(_ => { });

        using var response = await client.GetAsync($"/jobs/{id}?include=words");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_include", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_timeline_is_a_png_once_the_job_succeeded_and_a_problem_before()
    {
        using var client = api.CreateClient();
        var queued = await api.SeedAsync(job => job.LastPublishedAt = DateTime.UtcNow);
        var failed = await api.SeedAsync(job => { job.Status = JobStatus.Failed; job.ErrorCode = "no_speech"; });
        var id = await SubmitCallAsync(client, GeneratedCalls.StereoMuLaw(repeats: 2), "split", "agent,customer");
        await EmbeddedApi.WaitUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));

        using var missing = await client.GetAsync($"/jobs/{Guid.NewGuid()}/timeline.png");
        using var notFinished = await client.GetAsync($"/jobs/{queued}/timeline.png");
        using var noResult = await client.GetAsync($"/jobs/{failed}/timeline.png");
        using var timeline = await client.GetAsync($"/jobs/{id}/timeline.png");
        var png = await timeline.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("job_not_found", await CodeOf(missing));
        Assert.Equal(HttpStatusCode.Conflict, notFinished.StatusCode);
        Assert.Equal("job_not_finished", await CodeOf(notFinished));
        Assert.Equal(HttpStatusCode.Conflict, noResult.StatusCode);
        Assert.Equal("job_failed", await CodeOf(noResult));
        Assert.Equal(HttpStatusCode.OK, timeline.StatusCode);
        Assert.Equal("image/png", timeline.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 5000, $"a {png.Length}-byte PNG has nothing drawn on it");
    }

    /// <summary>Every segment lies on one of the channel's turns (turn k starts at firstAt + 12 k s).</summary>
    private static void AssertSegmentsWithin(JsonNode block, double firstAt, int repeats)
    {
        var segments = block["segments"]!.AsArray();
        Assert.NotEmpty(segments);
        foreach (var segment in segments)
        {
            var (start, end) = (segment!["start"]!.GetValue<double>(), segment["end"]!.GetValue<double>());
            var onATurn = Enumerable.Range(0, repeats).Select(k => firstAt + (k * GeneratedCalls.PatternSeconds))
                .Any(turn => start >= turn - Tolerance && end <= turn + GeneratedCalls.SentenceSeconds + Tolerance);
            Assert.True(onATurn, $"{block["name"]} segment {start}-{end} is off its channel's turns");
        }
    }

    private static async Task<Guid> SubmitCallAsync(HttpClient client, byte[] wav, string? channels, string? channelNames)
    {
        using var response = await client.PostAsync("/jobs", Form(wav, channels, channelNames));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /jobs answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    private static MultipartFormDataContent Form(byte[] wav, string? channels, string? channelNames)
    {
        var form = EmbeddedApi.Upload(wav, "call.wav");
        if (channels is not null)
        {
            form.Add(new StringContent(channels), "channels");
        }
        if (channelNames is not null)
        {
            form.Add(new StringContent(channelNames), "channelNames");
        }
        return form;
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<string> CodeOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>();
}
