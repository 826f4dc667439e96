using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis;

/// <summary>
/// The upload is not something the service can analyse. <see cref="Code"/> is one of
/// the audio codes of <see cref="ErrorCodes"/>; the message is meant for the person who uploaded it and is a fixed
/// text (configured limits at most): never the file name, never ffmpeg's output. Retrying the same bytes gives the
/// same answer.
/// </summary>
public sealed class AudioRejectedException : Exception
{
    public AudioRejectedException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public string Code { get; }
}
