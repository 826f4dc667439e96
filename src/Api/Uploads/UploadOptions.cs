namespace SpeechEmotion.Api.Uploads;

/// <summary>Upload limits, bound from the configuration section "Uploads".</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Uploads";

    /// <summary>Largest audio file accepted, in bytes (default 50 MiB). Larger uploads get 413 upload_too_large.</summary>
    public long MaxBytes { get; set; } = 52_428_800;

    /// <summary>
    /// Where uploads are streamed before they are stored (default: speech-emotion-uploads in the system temp folder).
    /// Files left there by a killed Api are deleted at the next start (<see cref="AbandonedUploadCleanup"/>).
    /// </summary>
    public string TemporaryDirectory { get; set; } = "";

    public string EffectiveTemporaryDirectory => Directory.CreateDirectory(string.IsNullOrWhiteSpace(TemporaryDirectory)
        ? Path.Combine(Path.GetTempPath(), "speech-emotion-uploads")
        : TemporaryDirectory).FullName;

    /// <summary>Room for the multipart framing and the small text fields around the file.</summary>
    public const long FormOverheadBytes = 1_048_576;

    /// <summary>Largest whole request body: Content-Length is checked against it, and Kestrel enforces it as a backstop.</summary>
    public long MaxRequestBytes => MaxBytes + FormOverheadBytes;
}
