namespace SpeechEmotion.Analysis.Decoding;

/// <summary>How a <see cref="RecordingReader"/> decodes; built from <see cref="AnalysisOptions"/> by the callers.</summary>
internal sealed record RecordingReaderOptions
{
    public ChannelMode Channels { get; init; } = ChannelMode.Split;

    /// <summary>
    /// When set, a longer recording is refused with too_long: at open when the header says so (WAV), otherwise as
    /// soon as more than this much has been decoded. It also bounds ffmpeg's work (-t). Null: no limit (long calls).
    /// </summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>
    /// ffmpeg is killed, and the recording refused as corrupt_audio, when it delivers nothing for this long while the
    /// reader waits for it. A stall rule rather than a total: a two-hour call may rightly take minutes to decode.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The ffmpeg executable: a bare name is looked up on PATH.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    public static RecordingReaderOptions From(AnalysisOptions options, ChannelMode channels, TimeSpan? maxDuration) => new()
    {
        Channels = channels,
        MaxDuration = maxDuration,
        StallTimeout = options.DecodeTimeout,
        FfmpegPath = options.FfmpegPath,
    };
}
