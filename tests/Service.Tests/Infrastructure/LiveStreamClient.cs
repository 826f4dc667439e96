using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>What a <c>/live</c> client heard: every text frame as JSON, then how the service closed.</summary>
public sealed record LiveTranscript(IReadOnlyList<JsonObject> Frames, WebSocketCloseStatus? CloseStatus, string? CloseReason)
{
    public IEnumerable<JsonObject> Emotions(string track, bool final = true) => Frames.Where(f =>
        f["event"]!.GetValue<string>() == "emotion" && f["track"]!.GetValue<string>() == track && f["final"]!.GetValue<bool>() == final);

    public JsonObject? Summary => Frames.SingleOrDefault(f => f["event"]!.GetValue<string>() == "summary");
}

/// <summary>
/// A test client of <c>/live</c>: streams a WAV in the Twilio Media Streams format (20 ms μ-law chunks per track, as
/// Twilio sends them) or as raw PCM binary frames, and reads every frame the service sends until it closes.
/// </summary>
public sealed class LiveStreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private Task<LiveTranscript>? reading;

    public WebSocket Socket => socket;

    public static async Task<LiveStreamClient> ConnectAsync(Uri server, string query = "", bool read = true)
    {
        var client = new LiveStreamClient();
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/live", Query = query }.Uri;
        await client.socket.ConnectAsync(uri, CancellationToken.None);
        if (read)
        {
            client.reading = client.ReadAllAsync();
        }
        return client;
    }

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) => socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>
    /// Streams a μ-law WAV whose channels are <paramref name="tracks"/> (e.g. channel 0 outbound, 1 inbound) as Twilio
    /// does: connected, start, media of each track per 20 ms chunk, stop. No pacing: the service times by timestamps.
    /// </summary>
    public async Task StreamTwilioAsync(byte[] muLawWav, IReadOnlyList<string> tracks, bool stop = true)
    {
        var (data, channels) = WavData(muLawWav);
        await SendTextAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        var trackList = string.Join(",", tracks.Select(t => $"\"{t}\""));
        await SendTextAsync($$$"""{"event":"start","sequenceNumber":"1","start":{"streamSid":"MZtest","callSid":"CAtest","tracks":[{{{trackList}}}],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZtest"}""");
        const int chunk = 160;
        var frames = data.Length / channels;
        for (var at = 0; at < frames; at += chunk)
        {
            var count = Math.Min(chunk, frames - at);
            for (var channel = 0; channel < channels; channel++)
            {
                var payload = new byte[count];
                for (var i = 0; i < count; i++)
                {
                    payload[i] = data[((at + i) * channels) + channel];
                }
                await SendTextAsync($$$"""{"event":"media","streamSid":"MZtest","media":{"track":"{{{tracks[channel]}}}","chunk":"{{{(at / chunk) + 1}}}","timestamp":"{{{at / 8}}}","payload":"{{{Convert.ToBase64String(payload)}}}"}}""");
            }
        }
        if (stop)
        {
            await SendTextAsync("""{"event":"stop","streamSid":"MZtest","stop":{"callSid":"CAtest"}}""");
        }
    }

    /// <summary>Streams a 16-bit PCM WAV as raw binary frames of 20 ms after a start message.</summary>
    public async Task StreamPcmAsync(byte[] pcmWav)
    {
        var (data, channels) = WavData(pcmWav);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(pcmWav.AsSpan(24));
        await SendTextAsync($$"""{"event":"start","encoding":"pcm16","sampleRate":{{rate}},"channels":{{channels}}}""");
        var frameBytes = rate / 50 * 2 * channels;
        for (var at = 0; at < data.Length; at += frameBytes)
        {
            await SendBinaryAsync(data[at..Math.Min(data.Length, at + frameBytes)]);
        }
        await SendTextAsync("""{"event":"stop"}""");
    }

    /// <summary>Everything the service sent, once it closed (answering its close).</summary>
    public Task<LiveTranscript> TranscriptAsync(TimeSpan? timeout = null) =>
        reading!.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

    private async Task<LiveTranscript> ReadAllAsync()
    {
        var frames = new List<JsonObject>();
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult part;
                do
                {
                    part = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += part.Count;
                }
                while (!part.EndOfMessage);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    return new LiveTranscript(frames, socket.CloseStatus, socket.CloseStatusDescription);
                }
                frames.Add(JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject());
            }
        }
        catch (WebSocketException)
        {
            return new LiveTranscript(frames, null, "connection lost");
        }
    }

    /// <summary>The data chunk of a WAV file and its channel count.</summary>
    private static (byte[] Data, int Channels) WavData(byte[] wav)
    {
        var channels = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22));
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(at + 4));
            if (wav.AsSpan(at, 4).SequenceEqual("data"u8))
            {
                return (wav[(at + 8)..Math.Min(wav.Length, at + 8 + size)], channels);
            }
            at += 8 + size + (size & 1);
        }
        throw new InvalidDataException("No data chunk.");
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await Task.CompletedTask;
    }
}
