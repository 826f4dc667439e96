namespace SpeechEmotion.Api.Uploads;

/// <summary>Upload limits, bound from the configuration section "Uploads".</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Uploads";

    /// <summary>
    /// Largest recording POST /jobs accepts, in bytes. Default 160 MiB: two hours of stereo 8 kHz G.711 WAV are
    /// 115.2 MB (8000 frames/s × 2 bytes × 7200 s). Larger uploads get 413 upload_too_large.
    /// </summary>
    public long MaxBytes { get; set; } = 167_772_160;

    /// <summary>Largest clip POST /emotion accepts, in bytes (default 50 MiB): it waits for the answer, so short clips only.</summary>
    public long MaxClipBytes { get; set; } = 52_428_800;

    /// <summary>Room for the multipart framing and the small text fields around the file.</summary>
    public const long FormOverheadBytes = 1_048_576;

    /// <summary>Largest whole request body of any upload: Kestrel enforces it as a backstop.</summary>
    public long MaxRequestBytes => Math.Max(MaxBytes, MaxClipBytes) + FormOverheadBytes;
}
