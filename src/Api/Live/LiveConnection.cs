using System.Net.WebSockets;
using System.Threading.Channels;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Api.Live;

/// <summary>How a stream ends: the close frame the service sends, whether a summary comes first, whether its audio counts.</summary>
internal sealed record LiveEnding(WebSocketCloseStatus Status, string Reason, bool Summarise, bool KeepAudio)
{
    public static LiveEnding Stopped { get; } = new(WebSocketCloseStatus.NormalClosure, "stream ended", Summarise: true, KeepAudio: true);

    public static LiveEnding ClientClosed { get; } = new(WebSocketCloseStatus.NormalClosure, "", Summarise: false, KeepAudio: true);

    public static LiveEnding Limit(string reason) => new(WebSocketCloseStatus.PolicyViolation, reason, Summarise: true, KeepAudio: true);

    public static LiveEnding Broken(LiveProtocolException problem) => new(problem.Status, problem.Reason, Summarise: false, KeepAudio: false);
}

/// <summary>
/// One <c>/live</c> WebSocket from its first frame to its close. The receive loop parses frames and pushes audio into
/// the stream's <see cref="LiveCall"/>, whose utterances come back as emotion frames; frames go out through a bounded
/// queue and one sender, so a client that does not read never blocks the analysis (when the queue is full, or one
/// frame takes longer than Live:SendTimeout, the connection is dropped). Every ending, whether stop, a limit, a bad
/// frame, idleness, the client closing or vanishing, or the host stopping, goes through <see cref="EndAsync"/> once.
/// </summary>
internal sealed class LiveConnection : IAsyncDisposable
{
    private readonly WebSocket socket;
    private readonly LiveOptions options;
    private readonly CallAnalyzer analyzer;
    private readonly LiveRecorder? recorder;
    private readonly ILogger logger;
    private readonly Channel<Outgoing> outgoing;
    // The receive loop, the idle watchdog and the host's stop all touch the stream: one at a time.
    private readonly SemaphoreSlim turn = new(1, 1);

    private LiveStart? start;
    private LiveCall? call;
    private LiveRecording? recording;
    private byte[] payload = new byte[512];
    private byte[] received = new byte[4096];
    private long lastMessageAt = Environment.TickCount64;
    private bool ended;

    public LiveConnection(WebSocket socket, LiveOptions options, CallAnalyzer analyzer, LiveRecorder? recorder, ILogger logger)
    {
        this.socket = socket;
        this.options = options;
        this.analyzer = analyzer;
        this.recorder = recorder;
        this.logger = logger;
        outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.MaxQueuedFrames + 2) { SingleReader = true });
    }

    public async Task RunAsync(CancellationToken hostStopping)
    {
        var sending = SendLoopAsync();
        await using var idleWatch = new Timer(_ => _ = EndIfIdleAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await using var stopping = hostStopping.Register(() => _ = EndFromOutsideAsync(
            new LiveEnding(WebSocketCloseStatus.EndpointUnavailable, "the service is stopping", Summarise: true, KeepAudio: true)));
        try
        {
            await ReceiveLoopAsync();
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client vanished, or the connection was dropped (it did not read, or did not answer our close).
        }
        await EndFromOutsideAsync(LiveEnding.ClientClosed with { Summarise = false });
        await sending;
    }

    private async Task ReceiveLoopAsync()
    {
        while (true)
        {
            var (type, length, tooBig) = await ReceiveMessageAsync();
            if (type == WebSocketMessageType.Close)
            {
                return;
            }
            Interlocked.Exchange(ref lastMessageAt, Environment.TickCount64);
            await turn.WaitAsync();
            try
            {
                if (ended)
                {
                    continue;   // our close is on its way: the rest is not read
                }
                LiveEnding? ending;
                try
                {
                    ending = tooBig
                        ? throw new LiveProtocolException(WebSocketCloseStatus.MessageTooBig, $"A message is larger than {options.MaxMessageBytes} bytes.")
                        : Handle(type, received.AsSpan(0, length));
                }
                catch (LiveProtocolException problem)
                {
                    logger.LogInformation("Live stream {StreamSid} closed: {Reason}", start?.StreamSid, problem.Reason);
                    ending = LiveEnding.Broken(problem);
                }
                if (ending is not null)
                {
                    await EndAsync(ending);
                }
            }
            finally
            {
                turn.Release();
            }
        }
    }

    /// <summary>One whole message into <see cref="received"/>; a message over the limit is read to its end but not kept.</summary>
    private async Task<(WebSocketMessageType Type, int Length, bool TooBig)> ReceiveMessageAsync()
    {
        var length = 0;
        var tooBig = false;
        while (true)
        {
            if (!tooBig && length == received.Length)
            {
                if (received.Length < options.MaxMessageBytes)
                {
                    Array.Resize(ref received, Math.Min(options.MaxMessageBytes, received.Length * 2));
                }
                else
                {
                    tooBig = true;
                }
            }
            // Past the limit the rest of the message is read over the buffer and thrown away.
            var part = await socket.ReceiveAsync(tooBig ? received.AsMemory() : received.AsMemory(length), CancellationToken.None);
            if (part.MessageType == WebSocketMessageType.Close)
            {
                return (part.MessageType, 0, false);
            }
            if (!tooBig)
            {
                length += part.Count;
            }
            if (part.EndOfMessage)
            {
                return (part.MessageType, length, tooBig);
            }
        }
    }

    /// <summary>Acts on one message; returns how the stream ends when this message ends it.</summary>
    private LiveEnding? Handle(WebSocketMessageType type, ReadOnlySpan<byte> message)
    {
        if (type == WebSocketMessageType.Binary)
        {
            if (start is null || start.IsTwilio)
            {
                throw LiveProtocolException.Policy("Binary frames are audio of a raw PCM stream and come after its start message.");
            }
            call!.PushInterleaved(message);
            recording?.AppendInterleaved(message);
            return CheckLimits();
        }

        var json = LiveProtocol.Parse(message, out var document);
        using (document)
        {
            switch (LiveProtocol.EventOf(json))
            {
                case "start" when start is not null:
                    throw LiveProtocolException.Policy("A stream starts once.");
                case "start":
                    Begin(LiveProtocol.ReadStart(json));
                    return null;
                case "media" when start is null:
                    throw LiveProtocolException.Policy("media came before start.");
                case "media" when !start.IsTwilio:
                    throw LiveProtocolException.Policy("A raw PCM stream sends its audio as binary frames.");
                case "media":
                    AddMedia(json);
                    return CheckLimits();
                case "stop" when start is null:
                    throw LiveProtocolException.Policy("stop came before start.");
                case "stop":
                    return LiveEnding.Stopped;
                default:
                    return null;   // connected, mark, dtmf, ...: nothing to do
            }
        }
    }

    private void Begin(LiveStart begun)
    {
        start = begun;
        var request = new AnalysisRequest(ChannelHandling.Split, begun.Tracks);
        call = analyzer.OpenLive(begun.Format, request, OnUtterance, new InterimPolicy(options.InterimAfterSeconds, options.InterimEverySeconds));
        recording = recorder?.Open(begun.Format);
        logger.LogInformation("Live stream {StreamSid} started: {Tracks}, {Encoding} {SampleRate} Hz, recorded {Recorded}",
            begun.StreamSid, string.Join(",", begun.Tracks), begun.Format.Encoding, begun.Format.SampleRate, recording is not null);
    }

    /// <summary>A Twilio media message: its payload at its timestamp (a gap before it is filled with silence).</summary>
    private void AddMedia(System.Text.Json.JsonElement json)
    {
        var (track, timestampMs, bytes) = LiveProtocol.ReadMedia(json, ref payload);
        var channel = IndexOf(start!.Tracks, track);
        if (channel < 0)
        {
            throw LiveProtocolException.Policy("media.track is not one of the tracks the start message named.");
        }
        if (timestampMs is { } at)
        {
            var gap = (at * start.Format.SampleRate / 1000) - call!.SamplesReceived(channel);
            if (gap > options.MaxTimestampGap.TotalSeconds * start.Format.SampleRate)
            {
                throw LiveProtocolException.Policy("media.timestamp jumps further ahead than Live:MaxTimestampGap.");
            }
            if (gap > 0)
            {
                call.PushSilence(channel, gap);
                recording?.Append(channel, Enumerable.Repeat(start.Format.SilenceByte, (int)gap).ToArray());
            }
        }
        call!.Push(channel, payload.AsSpan(0, bytes));
        recording?.Append(channel, payload.AsSpan(0, bytes));
    }

    private static int IndexOf(IReadOnlyList<string> tracks, string track)
    {
        for (var i = 0; i < tracks.Count; i++)
        {
            if (tracks[i] == track)
            {
                return i;
            }
        }
        return -1;
    }

    private LiveEnding? CheckLimits()
    {
        if (call!.SecondsReceived >= options.MaxDuration.TotalSeconds)
        {
            return LiveEnding.Limit("The stream reached Live:MaxDuration.");
        }
        if (recording is not null && recorder!.IsFull(recording))
        {
            return LiveEnding.Limit("The recording reached Uploads:MaxBytes.");
        }
        return null;
    }

    private void OnUtterance(UtteranceEmotion utterance) =>
        Send(LiveProtocol.EmotionFrame(utterance, start!.Tracks[utterance.Channel], start.StreamSid));

    private async Task EndIfIdleAsync()
    {
        if (Environment.TickCount64 - Interlocked.Read(ref lastMessageAt) > options.IdleTimeout.TotalMilliseconds)
        {
            await EndFromOutsideAsync(new LiveEnding(WebSocketCloseStatus.PolicyViolation,
                $"No message for {options.IdleTimeout.TotalSeconds:0.#} s.", Summarise: true, KeepAudio: true));
        }
    }

    private async Task EndFromOutsideAsync(LiveEnding ending)
    {
        await turn.WaitAsync();
        try
        {
            await EndAsync(ending);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// Ends the stream once: closes the analysis (telling the last utterances), stores the recording as a job, sends
    /// the summary when the ending asks for it, then the close frame.
    /// </summary>
    private async Task EndAsync(LiveEnding ending)
    {
        if (ended)
        {
            return;
        }
        ended = true;
        EmotionResult? result = null;
        (string, string)? error = null;
        if (call is not null && ending.KeepAudio)
        {
            try
            {
                result = call.Complete();
            }
            catch (AudioRejectedException rejected)
            {
                error = (rejected.Code, rejected.Message);
            }
        }
        var (jobId, recordError) = recording is not null && ending.KeepAudio && start is not null
            ? await recorder!.StoreAsync(recording, start)
            : (null, null);
        if (recording is not null)
        {
            await recording.DisposeAsync();
        }
        if (ending.Summarise && start is not null)
        {
            Send(LiveProtocol.SummaryFrame(start.StreamSid, result, error, jobId, recordError));
        }
        logger.LogInformation("Live stream {StreamSid} ended ({Status} {Reason}): {Seconds:0.0} s, job {JobId}",
            start?.StreamSid, ending.Status, ending.Reason, call?.SecondsReceived ?? 0, jobId);
        outgoing.Writer.TryWrite(new Outgoing(null, ending));
        outgoing.Writer.TryComplete();
    }

    private void Send(byte[] frame)
    {
        if (!outgoing.Writer.TryWrite(new Outgoing(frame, null)))
        {
            logger.LogWarning("Live stream {StreamSid} dropped: the client left {Count} frames unread", start?.StreamSid, options.MaxQueuedFrames);
            socket.Abort();
        }
    }

    /// <summary>Sends queued frames in order, each within Live:SendTimeout; then the close frame, and waits as long for the client's.</summary>
    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var item in outgoing.Reader.ReadAllAsync())
            {
                using var timeout = new CancellationTokenSource(options.SendTimeout);
                if (item.Frame is not null)
                {
                    await socket.SendAsync(item.Frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                    continue;
                }
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(item.Ending!.Status, item.Ending.Reason, timeout.Token);
                }
                // The client answers our close; a client that does not is dropped.
                _ = Task.Delay(options.SendTimeout).ContinueWith(_ => AbortUnlessClosed(), TaskScheduler.Default);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private void AbortUnlessClosed()
    {
        if (socket.State != WebSocketState.Closed)
        {
            socket.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (recording is not null)
        {
            await recording.DisposeAsync();
        }
        // turn is not disposed: a last idle-watch callback may still be waiting on it (it then finds the stream ended).
    }

    /// <summary>A frame to send, or (Frame null) the close.</summary>
    private sealed record Outgoing(byte[]? Frame, LiveEnding? Ending);
}
