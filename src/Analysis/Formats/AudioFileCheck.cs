namespace SpeechEmotion.Analysis.Formats;

/// <summary>
/// The decoder's first check, for callers that take many files at once (a batch's archive members): whether a file's
/// name and first bytes say it is audio of an accepted format, before it is stored and queued.
/// </summary>
public static class AudioFileCheck
{
    /// <summary>How many leading bytes <see cref="EnsureLooksLikeAudio"/> needs to see.</summary>
    public const int HeaderLength = 16;

    /// <exception cref="AudioRejectedException">unsupported_format (a name or content that is not accepted audio) or corrupt_audio (too small).</exception>
    public static void EnsureLooksLikeAudio(string fileName, ReadOnlySpan<byte> header) => AudioFormatSniffer.Detect(fileName, header);
}
