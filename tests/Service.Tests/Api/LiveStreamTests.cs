using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Api.Live;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Waiting;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>
/// GET /live on a real Kestrel: a generated two-track call streamed as Twilio does gets one emotion frame per
/// utterance on its own track, at the right times, and a summary equal to the job the recorded stream became; bad
/// frames close the stream with 1007/1008/1009 and harm no other stream. Alone in the process: its streams run the
/// analysis as fast as the CPU allows, which beside the 2-s lease of LongCallTests starved that test's renewals.
/// </summary>
[Collection(LiveStreamsAlone.Name)]
public sealed class LiveStreamTests : IClassFixture<LiveStreamTests.LiveApi>
{
    private const double Tolerance = 0.3;

    /// <summary>One 12 s call, made (by ffmpeg) before any socket opens: a slow build must not look like an idle client.</summary>
    private static readonly Lazy<byte[]> OneCall = new(() => GeneratedCalls.StereoMuLaw());

    private readonly LiveApi api;

    public LiveStreamTests(LiveApi api) => this.api = api;

    /// <summary>
    /// The embedded Api on Kestrel with interim answers after 2 s and short send timeouts. IDisposable, not
    /// IAsyncDisposable: xunit v2 never calls a fixture's DisposeAsync, which left the server running to the end of the
    /// test run and its data directory in the temp folder.
    /// </summary>
    public sealed class LiveApi : IDisposable
    {
        public EmbeddedApi Api { get; } = EmbeddedApi.OnKestrel(new Dictionary<string, string?>
        {
            ["Live:InterimAfterSeconds"] = "2",
            ["Live:SendTimeout"] = "00:00:02",
            ["Live:IdleTimeout"] = "00:00:04",
            ["Live:MaxConcurrentStreams"] = "4",
        });

        public void Dispose() => Api.Dispose();
    }

    private Uri Server => api.Api.ClientOptions.BaseAddress;

    [Fact]
    public async Task A_twilio_call_gets_one_event_per_utterance_on_its_track_and_a_summary_equal_to_its_job()
    {
        const int repeats = 2;
        var wav = GeneratedCalls.StereoMuLaw(repeats);
        await using var client = await LiveStreamClient.ConnectAsync(Server, "record=true");
        // The generated call has the agent on channel 0 and the customer on channel 1: outbound and inbound.
        await client.StreamTwilioAsync(wav, ["outbound", "inbound"]);
        var transcript = await client.TranscriptAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, transcript.CloseStatus);
        var truth = SpeechTruth.Of(wav);
        AssertOneEventPerUtterance(transcript.Emotions("outbound").ToList(), truth.Turns(channel: 0), "outbound");
        AssertOneEventPerUtterance(transcript.Emotions("inbound").ToList(), truth.Turns(channel: 1), "inbound");
        // Utterances of about 3.6 s outlast the 2 s interim delay: each track hears how its turns go before they end.
        Assert.All(new[] { "outbound", "inbound" }, track => Assert.NotEmpty(transcript.Emotions(track, final: false)));

        var summary = transcript.Summary!;
        var jobId = Guid.Parse(summary["jobId"]!.GetValue<string>());
        using var http = api.Api.CreateClient();
        await EmbeddedApi.WaitUntilFinishedAsync(http, jobId, TimeSpan.FromSeconds(60));
        var job = JsonNode.Parse(await http.GetStringAsync($"/jobs/{jobId}?include=segments"))!;
        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        AssertSameResult(job["result"]!, summary["result"]!);
        Assert.Equal(["inbound", "outbound"], summary["result"]!["channels"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_raw_pcm_stream_gets_its_events_and_summary()
    {
        var wav = GeneratedCalls.StereoPcm16(repeats: 1, sampleRate: 16000);
        await using var client = await LiveStreamClient.ConnectAsync(Server);
        await client.StreamPcmAsync(wav);
        var transcript = await client.TranscriptAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, transcript.CloseStatus);
        // A stereo PCM stream without track names: channel 0 (the agent here) is inbound, channel 1 outbound.
        var outbound = Assert.Single(transcript.Emotions("outbound"));
        var inbound = Assert.Single(transcript.Emotions("inbound"));
        Assert.InRange(inbound["start"]!.GetValue<double>(), GeneratedCalls.AgentAt - Tolerance, GeneratedCalls.AgentAt + 1);
        Assert.InRange(outbound["start"]!.GetValue<double>(), GeneratedCalls.CustomerAt - Tolerance, GeneratedCalls.CustomerAt + 1);
        var result = transcript.Summary!["result"]!;
        Assert.Equal(16000, result["audio"]!["sampleRate"]!.GetValue<int>());
        Assert.Null(transcript.Summary!["jobId"]);
    }

    [Theory]
    [InlineData("{\"event\":\"media\",", "malformed", WebSocketCloseStatus.InvalidPayloadData)]
    [InlineData("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"timestamp\":\"0\",\"payload\":\"not base64!\"}}", "base64", WebSocketCloseStatus.InvalidPayloadData)]
    [InlineData("{\"event\":\"media\",\"media\":{\"track\":\"sideways\",\"timestamp\":\"0\",\"payload\":\"/w==\"}}", "track", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("{\"event\":\"start\",\"start\":{\"tracks\":[\"inbound\"],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}}}", "twice", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"timestamp\":\"3600000\",\"payload\":\"/w==\"}}", "jump", WebSocketCloseStatus.PolicyViolation)]
    public async Task A_bad_frame_after_a_good_start_closes_that_stream_only(string badFrame, string why, WebSocketCloseStatus expected)
    {
        _ = OneCall.Value;
        var healthy = HealthyStreamAsync();
        await using var client = await LiveStreamClient.ConnectAsync(Server);
        await client.SendTextAsync(TwilioStart("audio/x-mulaw", 8000));
        await client.SendTextAsync(badFrame);
        var transcript = await client.TranscriptAsync();

        Assert.True(expected == transcript.CloseStatus, $"{why}: closed with {transcript.CloseStatus} {transcript.CloseReason}");
        Assert.False(string.IsNullOrWhiteSpace(transcript.CloseReason));
        Assert.Null(transcript.Summary);
        await healthy;
    }

    [Theory]
    [InlineData("audio/x-alaw", 8000)]
    [InlineData("audio/x-mulaw", 16000)]
    public async Task A_wrong_media_format_is_closed_with_1008(string encoding, int sampleRate)
    {
        await using var client = await LiveStreamClient.ConnectAsync(Server);
        await client.SendTextAsync(TwilioStart(encoding, sampleRate));
        var transcript = await client.TranscriptAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, transcript.CloseStatus);
        Assert.Contains("media format", transcript.CloseReason);
    }

    [Fact]
    public async Task Binary_frames_in_a_twilio_stream_and_oversized_messages_are_refused()
    {
        await using var binary = await LiveStreamClient.ConnectAsync(Server);
        await binary.SendTextAsync(TwilioStart("audio/x-mulaw", 8000));
        await binary.SendBinaryAsync(new byte[320]);
        await using var huge = await LiveStreamClient.ConnectAsync(Server);
        await huge.SendTextAsync(new string(' ', 100_000));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await binary.TranscriptAsync()).CloseStatus);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, (await huge.TranscriptAsync()).CloseStatus);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_without_harming_another_stream()
    {
        var call = OneCall.Value;
        var healthy = HealthyStreamAsync();
        await using var deaf = await LiveStreamClient.ConnectAsync(Server, read: false);
        // It sends a whole call and never reads a frame, nor answers the close.
        await deaf.StreamTwilioAsync(call, ["outbound", "inbound"]);

        await healthy;
        await AllStreamsLetGoAsync();
    }

    [Fact]
    public async Task A_stream_that_goes_quiet_is_closed_after_the_idle_time()
    {
        await using var client = await LiveStreamClient.ConnectAsync(Server);
        await client.SendTextAsync(TwilioStart("audio/x-mulaw", 8000));
        var transcript = await client.TranscriptAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, transcript.CloseStatus);
        Assert.Contains("No message", transcript.CloseReason);
    }

    [Fact]
    public async Task Plain_http_and_streams_over_the_limit_get_problem_details()
    {
        using var http = api.Api.CreateClient();
        using var plain = await http.GetAsync("/live");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal("websocket_required", JsonNode.Parse(await plain.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());

        await AllStreamsLetGoAsync();   // another test's stream frees its place only after its client has seen the close
        var open = new List<LiveStreamClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                open.Add(await LiveStreamClient.ConnectAsync(Server));
            }
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => LiveStreamClient.ConnectAsync(Server));
            Assert.Contains("503", refused.Message);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>A good stream beside the bad one: it must still get its events and summary.</summary>
    private async Task HealthyStreamAsync()
    {
        var call = OneCall.Value;
        await using var client = await LiveStreamClient.ConnectAsync(Server);
        await client.StreamTwilioAsync(call, ["outbound", "inbound"]);
        var transcript = await client.TranscriptAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, transcript.CloseStatus);
        Assert.Single(transcript.Emotions("inbound"));
        Assert.NotNull(transcript.Summary!["result"]);
    }

    /// <summary>Waits until the server has let every stream go (LiveStreamGate frees a place as a stream's handler ends).</summary>
    private Task AllStreamsLetGoAsync()
    {
        var gate = api.Api.Services.GetRequiredService<LiveStreamGate>();
        return Eventually.HoldsAsync(() => gate.Open == 0, TimeSpan.FromSeconds(15), () => $"{gate.Open} streams still open");
    }

    private static string TwilioStart(string encoding, int sampleRate) =>
        $$$$"""{"event":"start","start":{"streamSid":"MZbad","tracks":["inbound","outbound"],"mediaFormat":{"encoding":"{{{{encoding}}}}","sampleRate":{{{{sampleRate}}}},"channels":1}}}""";

    /// <summary>Exactly one final event per utterance, each within ±0.3 s of its utterance, none inside silences.</summary>
    private static void AssertOneEventPerUtterance(List<JsonObject> events, IReadOnlyList<(double Start, double End)> turns, string track)
    {
        Assert.True(turns.Count == events.Count, $"{track}: {events.Count} events for {turns.Count} utterances: {string.Join(", ", events.Select(e => $"{e["start"]}-{e["end"]}"))}");
        foreach (var (start, end) in turns)
        {
            var match = Assert.Single(events, e => e["start"]!.GetValue<double>() < end && e["end"]!.GetValue<double>() > start);
            Assert.InRange(match["start"]!.GetValue<double>(), start - Tolerance, start + Tolerance);
            Assert.InRange(match["end"]!.GetValue<double>(), end - Tolerance, end + Tolerance);
            Assert.Equal(7, match["probabilities"]!.AsObject().Count);
        }
    }

    /// <summary>Same emotions, names, figures and segment times; probabilities within 1e-4 (batches of different sizes).</summary>
    private static void AssertSameResult(JsonNode job, JsonNode summary)
    {
        Assert.Equal(job["emotion"]!.GetValue<string>(), summary["emotion"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(job["audio"], summary["audio"]), $"{job["audio"]} vs {summary["audio"]}");
        Assert.True(JsonNode.DeepEquals(job["call"], summary["call"]), $"{job["call"]} vs {summary["call"]}");
        AssertClose(job["probabilities"]!, summary["probabilities"]!);
        var jobChannels = job["channels"]!.AsArray();
        var liveChannels = summary["channels"]!.AsArray();
        Assert.Equal(jobChannels.Count, liveChannels.Count);
        for (var c = 0; c < jobChannels.Count; c++)
        {
            Assert.Equal(jobChannels[c]!["name"]!.GetValue<string>(), liveChannels[c]!["name"]!.GetValue<string>());
            Assert.Equal(jobChannels[c]!["speechSeconds"]!.GetValue<double>(), liveChannels[c]!["speechSeconds"]!.GetValue<double>());
            var jobSegments = jobChannels[c]!["segments"]!.AsArray();
            var liveSegments = liveChannels[c]!["segments"]!.AsArray();
            Assert.Equal(jobSegments.Count, liveSegments.Count);
            for (var s = 0; s < jobSegments.Count; s++)
            {
                Assert.Equal(jobSegments[s]!["start"]!.GetValue<double>(), liveSegments[s]!["start"]!.GetValue<double>());
                Assert.Equal(jobSegments[s]!["end"]!.GetValue<double>(), liveSegments[s]!["end"]!.GetValue<double>());
                Assert.Equal(jobSegments[s]!["emotion"]!.GetValue<string>(), liveSegments[s]!["emotion"]!.GetValue<string>());
                AssertClose(jobSegments[s]!["probabilities"]!, liveSegments[s]!["probabilities"]!);
            }
        }
    }

    private static void AssertClose(JsonNode expected, JsonNode actual)
    {
        foreach (var (label, value) in expected.AsObject())
        {
            Assert.True(Math.Abs(value!.GetValue<double>() - actual[label]!.GetValue<double>()) < 1e-4, $"{label}: {value} vs {actual[label]}");
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveStreamsAlone
{
    public const string Name = "Live streams, alone in the process (CPU-heavy)";
}
