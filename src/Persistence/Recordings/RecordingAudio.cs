namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// The audio bytes of one recording, as a row of <c>recording_audio</c>. Used by the database recording store
/// (distributed mode) so every worker can read what the Api received without a shared disk. The recording's facts
/// (name, type, size, SHA-256) live in <see cref="Recording"/>, not here.
/// </summary>
public sealed class RecordingAudio
{
    public Guid RecordingId { get; set; }
    public required byte[] Content { get; set; }
    /// <summary>When the bytes were written; audio older than Processing:OrphanRecordingAge without a recording row is removed.</summary>
    public DateTime CreatedAt { get; set; }
}
