using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Api.Live;

/// <summary>A message that breaks the protocol: the stream is closed with <see cref="Status"/> and <see cref="Reason"/>.</summary>
internal sealed class LiveProtocolException(WebSocketCloseStatus status, string reason) : Exception(reason)
{
    public WebSocketCloseStatus Status { get; } = status;
    public string Reason { get; } = reason;

    public static LiveProtocolException Invalid(string reason) => new(WebSocketCloseStatus.InvalidPayloadData, reason);

    public static LiveProtocolException Policy(string reason) => new(WebSocketCloseStatus.PolicyViolation, reason);
}

/// <summary>The start of a stream: its audio, its track names (channel order) and, for Twilio, the ids it carries.</summary>
internal sealed record LiveStart(LiveAudioFormat Format, IReadOnlyList<string> Tracks, bool IsTwilio, string? StreamSid, string? CallSid);

/// <summary>
/// The two wire formats of <c>/live</c>, read from text frames.
/// <list type="bullet">
/// <item>Twilio Media Streams: <c>connected</c>, <c>start</c> (<c>start.mediaFormat</c> must be audio/x-mulaw, 8000 Hz,
/// 1 channel; <c>start.tracks</c> inbound and/or outbound), <c>media</c> (<c>media.track</c>, <c>media.timestamp</c> in ms
/// from the start, base64 <c>media.payload</c>), <c>stop</c>; <c>mark</c>, <c>dtmf</c> and other events are ignored.</item>
/// <item>Raw PCM: a text <c>{"event":"start","encoding":"pcm16","sampleRate":16000,"channels":1}</c> (optional
/// <c>tracks</c> names), then binary frames of interleaved 16-bit little-endian samples, then <c>{"event":"stop"}</c>.</item>
/// </list>
/// </summary>
internal static class LiveProtocol
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";

    public static JsonElement Parse(ReadOnlySpan<byte> utf8, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException)
        {
            throw LiveProtocolException.Invalid("A text frame is not valid JSON.");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw LiveProtocolException.Invalid("A text frame must be a JSON object.");
        }
        return document.RootElement;
    }

    public static string EventOf(JsonElement message) =>
        message.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "";

    public static LiveStart ReadStart(JsonElement message) =>
        message.TryGetProperty("start", out var twilio) ? ReadTwilioStart(message, twilio) : ReadRawStart(message);

    private static LiveStart ReadTwilioStart(JsonElement message, JsonElement start)
    {
        if (start.ValueKind != JsonValueKind.Object || !start.TryGetProperty("mediaFormat", out var media) || media.ValueKind != JsonValueKind.Object)
        {
            throw LiveProtocolException.Policy("start.mediaFormat is missing.");
        }
        var encoding = Text(media, "encoding");
        if (!string.Equals(encoding, "audio/x-mulaw", StringComparison.OrdinalIgnoreCase) || Number(media, "sampleRate") != 8000
            || (Number(media, "channels") ?? 1) != 1)
        {
            throw LiveProtocolException.Policy("Unsupported media format: audio/x-mulaw, 8000 Hz, 1 channel expected.");
        }
        var tracks = Tracks(start, [Inbound]);
        if (tracks.Any(track => track is not (Inbound or Outbound)))
        {
            throw LiveProtocolException.Policy("start.tracks may only name inbound and outbound.");
        }
        // Inbound (the caller) is channel 0, outbound (the agent or bot) channel 1, whatever order the list has.
        var ordered = new[] { Inbound, Outbound }.Where(tracks.Contains).ToList();
        var streamSid = Text(start, "streamSid") ?? Text(message, "streamSid");
        return new LiveStart(new LiveAudioFormat(LiveEncoding.MuLaw, 8000, ordered.Count), ordered, IsTwilio: true,
            ShortId(streamSid), ShortId(Text(start, "callSid")));
    }

    private static LiveStart ReadRawStart(JsonElement message)
    {
        var encoding = Text(message, "encoding") ?? "pcm16";
        var rate = Number(message, "sampleRate");
        var channels = Number(message, "channels") ?? 1;
        if (!encoding.Equals("pcm16", StringComparison.OrdinalIgnoreCase) || rate is null)
        {
            throw LiveProtocolException.Policy("start needs sampleRate (and encoding pcm16, the only one for binary frames).");
        }
        var format = new LiveAudioFormat(LiveEncoding.Pcm16, (int)rate.Value, (int)channels);
        if (!format.IsSupported)
        {
            throw LiveProtocolException.Policy("Unsupported PCM format: 8000 to 48000 Hz, 1 or 2 channels.");
        }
        var tracks = Tracks(message, format.Channels == 1 ? [Inbound] : [Inbound, Outbound]);
        if (tracks.Count != format.Channels || tracks.Distinct(StringComparer.OrdinalIgnoreCase).Count() != tracks.Count
            || tracks.Any(track => track.Length is 0 or > 32 || !track.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw LiveProtocolException.Policy("tracks must name each channel once (1 to 32 letters, digits, '-' or '_').");
        }
        return new LiveStart(format, tracks, IsTwilio: false, StreamSid: null, CallSid: null);
    }

    /// <summary>The track and timestamp (ms, when given) of a Twilio media message; its payload decoded into <paramref name="payload"/>.</summary>
    public static (string Track, long? TimestampMs, int Bytes) ReadMedia(JsonElement message, ref byte[] payload)
    {
        if (!message.TryGetProperty("media", out var media) || media.ValueKind != JsonValueKind.Object)
        {
            throw LiveProtocolException.Invalid("A media message needs a media object.");
        }
        var track = Text(media, "track") ?? Inbound;
        var timestamp = Number(media, "timestamp");
        var base64 = Text(media, "payload") ?? throw LiveProtocolException.Invalid("media.payload is missing.");
        var needed = (base64.Length / 4 * 3) + 3;
        if (payload.Length < needed)
        {
            payload = new byte[needed];
        }
        if (!Convert.TryFromBase64String(base64, payload, out var written))
        {
            throw LiveProtocolException.Invalid("media.payload is not base64.");
        }
        return (track, timestamp, written);
    }

    /// <summary>An emotion frame: one utterance of one track.</summary>
    public static byte[] EmotionFrame(UtteranceEmotion utterance, string track, string? streamSid) =>
        JsonSerializer.SerializeToUtf8Bytes(WithoutNulls(new JsonObject
        {
            ["event"] = "emotion",
            ["streamSid"] = streamSid,
            ["track"] = track,
            ["start"] = utterance.Start,
            ["end"] = utterance.End,
            ["emotion"] = utterance.Emotion,
            ["probabilities"] = JsonSerializer.SerializeToNode(utterance.Probabilities),
            ["final"] = utterance.Final,
        }), FrameJson);

    /// <summary>The summary frame: the whole stream's result (the JSON of a finished job's result), or why there is none.</summary>
    public static byte[] SummaryFrame(string? streamSid, EmotionResult? result, (string Code, string Message)? error, Guid? jobId, string? recordError)
    {
        var frame = new JsonObject { ["event"] = "summary", ["streamSid"] = streamSid };
        if (jobId is { } id)
        {
            frame["jobId"] = id.ToString();
            frame["links"] = new JsonObject { ["job"] = $"/jobs/{id}" };
        }
        if (recordError is not null)
        {
            frame["recordError"] = recordError;
        }
        if (result is not null)
        {
            frame["result"] = JsonSerializer.SerializeToNode(result, EmotionResult.JsonOptions);
        }
        if (error is { } problem)
        {
            frame["error"] = new JsonObject { ["code"] = problem.Code, ["message"] = problem.Message };
        }
        return JsonSerializer.SerializeToUtf8Bytes(WithoutNulls(frame), FrameJson);
    }

    /// <summary>JsonObject writes null members whatever the options say; a frame leaves them out (e.g. no streamSid on raw PCM).</summary>
    private static JsonObject WithoutNulls(JsonObject frame)
    {
        foreach (var name in frame.Where(member => member.Value is null).Select(member => member.Key).ToList())
        {
            frame.Remove(name);
        }
        return frame;
    }

    private static readonly JsonSerializerOptions FrameJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static List<string> Tracks(JsonElement owner, List<string> fallback)
    {
        if (!owner.TryGetProperty("tracks", out var tracks))
        {
            return fallback;
        }
        if (tracks.ValueKind != JsonValueKind.Array || tracks.GetArrayLength() is 0 or > LiveAudioFormat.MaxChannels
            || tracks.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
        {
            throw LiveProtocolException.Policy("tracks must be a list of one or two names.");
        }
        return tracks.EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    private static string? Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A number, or a string holding one (Twilio sends timestamps and chunk numbers as strings).</summary>
    private static long? Number(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }
        throw LiveProtocolException.Invalid($"{name} must be a whole number.");
    }

    /// <summary>Ids are echoed back and logged: only short, plain ones are kept.</summary>
    private static string? ShortId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(char.IsAsciiLetterOrDigit) ? id : null;
}
