namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// One uploaded recording: the one record of its facts, as the Api received them. Its audio bytes live in the
/// <see cref="RecordingStore"/> under <see cref="Id"/>; jobs (requests to analyse it) point at it. All times UTC.
/// </summary>
public sealed class Recording
{
    public Guid Id { get; set; }
    /// <summary>The client's file name, cleaned (control characters replaced, at most 255 characters, extension kept).</summary>
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>Lower-case hex SHA-256 of the bytes as uploaded.</summary>
    public required string Sha256 { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// When the audio was removed from the store (retention, rejected as invalid audio); null while it is kept.
    /// The facts and every result stay.
    /// </summary>
    public DateTime? AudioDeletedAt { get; set; }

    public bool HasAudio => AudioDeletedAt is null;
}
