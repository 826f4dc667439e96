namespace SpeechEmotion.Api.Live;

/// <summary>Limits and timing of the <c>/live</c> WebSocket, bound from "Live".</summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>Streams open at once; one more is refused with 503 too_many_streams before the WebSocket opens.</summary>
    public int MaxConcurrentStreams { get; set; } = 200;

    /// <summary>A stream with no message for this long is closed (1008).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Audio a stream may carry; at this length it ends as if stopped (summary, then close 1008).</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Largest message accepted (a bigger one closes the stream with 1009).</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>An utterance still going gets a first interim answer after this many seconds...</summary>
    public double InterimAfterSeconds { get; set; } = 3;

    /// <summary>...and another one every this many seconds while it goes on.</summary>
    public double InterimEverySeconds { get; set; } = 2;

    /// <summary>A Twilio media timestamp may run ahead of the audio received by at most this (a lost stretch, filled with silence).</summary>
    public TimeSpan MaxTimestampGap { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames the service may hold for a client that does not read them; past that the client is dropped.</summary>
    public int MaxQueuedFrames { get; set; } = 256;

    /// <summary>How long one frame may take to send, and the close handshake to finish, before the connection is dropped.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool IsValid =>
        MaxConcurrentStreams > 0 && IdleTimeout > TimeSpan.Zero && MaxDuration > TimeSpan.Zero && MaxMessageBytes >= 1024
        && InterimAfterSeconds > 0 && InterimEverySeconds > 0 && MaxTimestampGap >= TimeSpan.Zero && MaxQueuedFrames > 0
        && SendTimeout > TimeSpan.Zero;
}
