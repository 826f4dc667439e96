namespace SpeechEmotion.Analysis.Formats;

/// <summary>The containers the service accepts, each with the ffmpeg demuxer that reads it.</summary>
internal enum AudioFormat
{
    Wav,
    Mp3,
    Ogg,
    Flac,
    Mp4,
    Adts,
    WebM,
}

internal static class AudioFormatExtensions
{
    /// <summary>
    /// The demuxer ffmpeg must use. Naming it (instead of letting ffmpeg probe) means the bytes are only ever read
    /// as the container we already sniffed, never as a playlist or another exotic format.
    /// </summary>
    public static string FfmpegDemuxer(this AudioFormat format) => format switch
    {
        AudioFormat.Wav => "wav",
        AudioFormat.Mp3 => "mp3",
        AudioFormat.Ogg => "ogg",
        AudioFormat.Flac => "flac",
        AudioFormat.Mp4 => "mov",
        AudioFormat.Adts => "aac",
        AudioFormat.WebM => "matroska",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// MP4 puts its index (the moov atom) wherever the encoder liked, often at the end, so ffmpeg must be able to
    /// seek: those uploads go through a temporary file instead of a pipe.
    /// </summary>
    public static bool NeedsSeekableInput(this AudioFormat format) => format == AudioFormat.Mp4;
}
