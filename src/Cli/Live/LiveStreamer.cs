using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SpeechEmotion.Cli.Live;

/// <summary>A WAV file ready to stream to <c>/live</c>: 8 kHz μ-law (sent as Twilio Media Streams) or 16-bit PCM (sent raw).</summary>
public sealed record LiveWav(bool IsMuLaw, int SampleRate, int Channels, byte[] Data)
{
    public int BytesPerSample => IsMuLaw ? 1 : 2;

    public int Frames => Data.Length / (BytesPerSample * Channels);

    public double Seconds => Frames / (double)SampleRate;

    /// <exception cref="InvalidDataException">Not a WAV, or neither 8 kHz μ-law nor 16-bit PCM.</exception>
    public static LiveWav Read(byte[] wav)
    {
        if (wav.Length < 12 || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a WAV file.");
        }
        int? tag = null, channels = null, rate = null, bits = null;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(at + 4));
            var body = wav.AsSpan(at + 8, Math.Min(size, wav.Length - at - 8));
            if (wav.AsSpan(at, 4).SequenceEqual("fmt "u8) && body.Length >= 16)
            {
                (tag, channels, rate, bits) = (BinaryPrimitives.ReadUInt16LittleEndian(body), BinaryPrimitives.ReadUInt16LittleEndian(body[2..]),
                    BinaryPrimitives.ReadInt32LittleEndian(body[4..]), BinaryPrimitives.ReadUInt16LittleEndian(body[14..]));
            }
            else if (wav.AsSpan(at, 4).SequenceEqual("data"u8) && tag is not null)
            {
                var muLaw = tag == 7 && rate == 8000;
                if (!muLaw && !(tag == 1 && bits == 16))
                {
                    throw new InvalidDataException("Stream an 8 kHz μ-law WAV (Twilio format) or a 16-bit PCM WAV (raw format); convert with ffmpeg -ar 8000 -c:a pcm_mulaw.");
                }
                return new LiveWav(muLaw, rate!.Value, channels!.Value, body.ToArray());
            }
            at += 8 + size + (size & 1);
        }
        throw new InvalidDataException("The WAV file has no fmt or data chunk.");
    }
}

/// <summary>A frame the service sent, with when it arrived (from the moment streaming began).</summary>
public sealed record LiveFrame(TimeSpan At, JsonObject Json)
{
    public string Event => Json["event"]?.GetValue<string>() ?? "";
}

/// <summary>How a stream went: every frame, the close, and how late the sender ever was against real time.</summary>
/// <paramref name="AudioStart"/>: when the first chunk's 20 ms began (audio time 0), on the clock of the frames' At.
public sealed record LiveOutcome(IReadOnlyList<LiveFrame> Frames, WebSocketCloseStatus? CloseStatus, string? CloseReason, TimeSpan MaxSendLag,
    TimeSpan AudioStart, TimeSpan StopSentAt);

/// <summary>
/// A client of <c>/live</c>: streams a WAV at real-time pace (or <c>speed</c> times it; 0 = as fast as possible) in
/// 20 ms chunks, each sent once its 20 ms have passed, as a phone platform does. μ-law 8 kHz goes as Twilio Media
/// Streams (channel 0 is the first of <c>tracks</c>); PCM as binary frames after a start message. Used by the
/// <c>speechemotion live</c> verb and by Bench live.
/// </summary>
public static class LiveStreamer
{
    private const int ChunkMs = 20;

    public static async Task<LiveOutcome> StreamAsync(Uri endpoint, LiveWav wav, IReadOnlyList<string> tracks, double speed,
        Action<LiveFrame>? onFrame, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(endpoint, cancellationToken);
        var clock = Stopwatch.StartNew();
        var reading = ReadAsync(socket, clock, onFrame, cancellationToken);
        var (lag, audioStart) = await SendAsync(socket, wav, tracks, speed, clock, cancellationToken);
        var stopSentAt = clock.Elapsed;
        var frames = await reading;
        return new LiveOutcome(frames, socket.CloseStatus, socket.CloseStatusDescription, lag, audioStart, stopSentAt);
    }

    private static async Task<(TimeSpan MaxLag, TimeSpan AudioStart)> SendAsync(ClientWebSocket socket, LiveWav wav, IReadOnlyList<string> tracks, double speed,
        Stopwatch clock, CancellationToken cancellationToken)
    {
        var chunkFrames = wav.SampleRate * ChunkMs / 1000;
        var maxLag = TimeSpan.Zero;
        if (wav.IsMuLaw)
        {
            await SendTextAsync(socket, """{"event":"connected","protocol":"Call","version":"1.0.0"}""", cancellationToken);
            var names = string.Join(",", tracks.Take(wav.Channels).Select(t => $"\"{t}\""));
            await SendTextAsync(socket, "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZlive\",\"tracks\":[" + names +
                "],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZlive\"}", cancellationToken);
        }
        else
        {
            var names = string.Join(",", tracks.Take(wav.Channels).Select(t => $"\"{t}\""));
            await SendTextAsync(socket, $"{{\"event\":\"start\",\"encoding\":\"pcm16\",\"sampleRate\":{wav.SampleRate},\"channels\":{wav.Channels},\"tracks\":[{names}]}}", cancellationToken);
        }

        var started = clock.Elapsed;
        for (var (chunk, at) = (0, 0); at < wav.Frames; chunk++, at += chunkFrames)
        {
            if (speed > 0)
            {
                var due = started + TimeSpan.FromMilliseconds((chunk + 1) * ChunkMs / speed);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
                maxLag = TimeSpan.FromTicks(Math.Max(maxLag.Ticks, (clock.Elapsed - due).Ticks));
            }
            var count = Math.Min(chunkFrames, wav.Frames - at);
            if (wav.IsMuLaw)
            {
                for (var channel = 0; channel < wav.Channels; channel++)
                {
                    var payload = new byte[count];
                    for (var i = 0; i < count; i++)
                    {
                        payload[i] = wav.Data[((at + i) * wav.Channels) + channel];
                    }
                    await SendTextAsync(socket, "{\"event\":\"media\",\"streamSid\":\"MZlive\",\"media\":{\"track\":\"" + tracks[channel] +
                        "\",\"chunk\":\"" + (chunk + 1) + "\",\"timestamp\":\"" + (at * 1000L / wav.SampleRate) + "\",\"payload\":\"" +
                        Convert.ToBase64String(payload) + "\"}}", cancellationToken);
                }
            }
            else
            {
                var frameBytes = wav.BytesPerSample * wav.Channels;
                await socket.SendAsync(wav.Data.AsMemory(at * frameBytes, count * frameBytes), WebSocketMessageType.Binary, true, cancellationToken);
            }
        }
        await SendTextAsync(socket, """{"event":"stop","streamSid":"MZlive"}""", cancellationToken);
        return (maxLag, started);
    }

    private static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Every frame until the service closes (its close is answered).</summary>
    private static async Task<List<LiveFrame>> ReadAsync(ClientWebSocket socket, Stopwatch clock, Action<LiveFrame>? onFrame, CancellationToken cancellationToken)
    {
        var frames = new List<LiveFrame>();
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        while (true)
        {
            var part = await socket.ReceiveAsync(buffer, cancellationToken);
            if (part.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
                }
                return frames;
            }
            message.Write(buffer, 0, part.Count);
            if (!part.EndOfMessage)
            {
                continue;
            }
            var frame = new LiveFrame(clock.Elapsed, JsonNode.Parse(message.ToArray())!.AsObject());
            message.SetLength(0);
            frames.Add(frame);
            onFrame?.Invoke(frame);
        }
    }
}
