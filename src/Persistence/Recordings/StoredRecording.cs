namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// Audio bytes of one job, as a row. Used by the database recording store (distributed mode) so every worker
/// can read what the Api received without a shared disk.
/// </summary>
public sealed class StoredRecording
{
    public Guid JobId { get; set; }
    public required byte[] Content { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public DateTime CreatedAt { get; set; }
}
