namespace SpeechEmotion.Analysis.Validation;

/// <summary>
/// The stable codes of <see cref="AudioRejectedException"/>. Clients branch on them, so never rename one.
/// They equal the audio codes of src/Contracts (ErrorCodes), which this project does not reference.
/// </summary>
public static class RejectionCodes
{
    public const string UnsupportedFormat = "unsupported_format";
    public const string CorruptAudio = "corrupt_audio";
    public const string TooShort = "too_short";
    public const string TooLong = "too_long";
    public const string NoSpeech = "no_speech";
}
