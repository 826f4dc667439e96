using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Formats;

/// <summary>
/// Decides the container from the file name's extension and checks the first bytes agree with it, so a renamed
/// file is refused before any decoder sees it. Rejection details are fixed texts: they never repeat the file name.
/// </summary>
internal static class AudioFormatSniffer
{
    /// <summary>Fewer bytes than this cannot hold a header of any accepted container.</summary>
    private const int MinimumHeaderLength = 12;

    private static readonly Dictionary<string, AudioFormat> FormatsByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".wav"] = AudioFormat.Wav,
        [".mp3"] = AudioFormat.Mp3,
        [".ogg"] = AudioFormat.Ogg,
        [".oga"] = AudioFormat.Ogg,
        [".opus"] = AudioFormat.Ogg,
        [".flac"] = AudioFormat.Flac,
        [".m4a"] = AudioFormat.Mp4,
        [".aac"] = AudioFormat.Adts,
        [".webm"] = AudioFormat.WebM,
    };

    /// <summary>The EBML header ID that starts every Matroska / WebM file.</summary>
    private static ReadOnlySpan<byte> EbmlMagic => [0x1A, 0x45, 0xDF, 0xA3];

    public static IReadOnlyCollection<string> AcceptedExtensions => FormatsByExtension.Keys;

    private static readonly string UnknownExtensionDetail =
        $"The file name has no accepted extension. Send one of: {string.Join(", ", FormatsByExtension.Keys)}.";

    /// <exception cref="AudioRejectedException">unsupported_format or, for an empty or tiny file, corrupt_audio.</exception>
    public static AudioFormat Detect(string fileName, ReadOnlySpan<byte> header)
    {
        var extension = Path.GetExtension(fileName);
        if (!FormatsByExtension.TryGetValue(extension, out var format))
        {
            throw new AudioRejectedException(ErrorCodes.UnsupportedFormat, UnknownExtensionDetail);
        }

        if (header.Length < MinimumHeaderLength)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, "The file is too small to hold audio.");
        }

        if (!HasSignatureOf(format, header))
        {
            throw new AudioRejectedException(ErrorCodes.UnsupportedFormat, "The file's content is not audio of the type its name says.");
        }

        return format;
    }

    private static bool HasSignatureOf(AudioFormat format, ReadOnlySpan<byte> header) => format switch
    {
        AudioFormat.Wav => header.StartsWith("RIFF"u8) && header[8..].StartsWith("WAVE"u8),
        AudioFormat.Mp3 => header.StartsWith("ID3"u8) || IsMpegAudioFrameSync(header),
        AudioFormat.Ogg => header.StartsWith("OggS"u8),
        AudioFormat.Flac => header.StartsWith("fLaC"u8),
        AudioFormat.Mp4 => header[4..].StartsWith("ftyp"u8),
        AudioFormat.Adts => IsAdtsSync(header),
        AudioFormat.WebM => header.StartsWith(EbmlMagic),
        _ => false,
    };

    /// <summary>11 set sync bits, then a layer other than the reserved 00 (which is how ADTS AAC starts instead).</summary>
    private static bool IsMpegAudioFrameSync(ReadOnlySpan<byte> header) =>
        header[0] == 0xFF && (header[1] & 0xE0) == 0xE0 && (header[1] & 0x06) != 0;

    /// <summary>12 set sync bits and layer 00.</summary>
    private static bool IsAdtsSync(ReadOnlySpan<byte> header) =>
        header[0] == 0xFF && (header[1] & 0xF6) == 0xF0;
}
