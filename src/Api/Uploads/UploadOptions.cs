using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// Upload limits, bound from the configuration section "Uploads": how much a client may send, and how slowly.
/// A request that breaks a time limit is answered 408 upload_timeout and its temporary file deleted at once.
/// </summary>
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

    /// <summary>Largest whole request body of any upload: Kestrel enforces it as a backstop.</summary>
    public long MaxRequestBytes => Math.Max(MaxBytes, MaxClipBytes) + FormOverheadBytes;

    /// <summary>
    /// Longest wait for the next bytes of a body once it started (default 15 s). Kestrel's minimum rate averages over
    /// the whole body, so without this a client that sent quickly and then stopped would hold the connection and the
    /// temporary file for minutes.
    /// </summary>
    public TimeSpan BodyIdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest time one upload may take from its first byte to its last (default 30 min: 160 MiB at 93 kB/s).</summary>
    public TimeSpan MaxUploadDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Kestrel's minimum request body rate, bytes per second averaged since the body started (default 1 KiB/s).</summary>
    public double MinBodyBytesPerSecond { get; set; } = 1024;

    /// <summary>How long a body may stay under <see cref="MinBodyBytesPerSecond"/> before Kestrel drops it (default 10 s; over 1 s).</summary>
    public TimeSpan MinBodyRateGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's limit on receiving a request's headers (default 10 s; Kestrel's own default is 30 s).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's grace period must exceed its 1 s heartbeat; every other limit must be positive.</summary>
    public bool IsValid =>
        MaxBytes > 0 && MaxClipBytes > 0 && BodyIdleTimeout > TimeSpan.Zero && MaxUploadDuration > TimeSpan.Zero && MinBodyBytesPerSecond > 0
        && MinBodyRateGracePeriod > TimeSpan.FromSeconds(1) && RequestHeadersTimeout > TimeSpan.Zero;

    /// <summary>The limits Kestrel enforces itself, before and beneath the upload reader.</summary>
    public void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxRequestBytes;
        limits.MinRequestBodyDataRate = new MinDataRate(MinBodyBytesPerSecond, MinBodyRateGracePeriod);
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
    }
}
