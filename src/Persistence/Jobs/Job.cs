namespace SpeechEmotion.Persistence.Jobs;

/// <summary>
/// One uploaded recording and what became of it. All times are UTC.
/// The claim columns (<see cref="ClaimToken"/>, <see cref="LeaseExpiresAt"/>, <see cref="WorkerName"/>) let
/// exactly one worker own the job at a time; only the owner may write the outcome.
/// </summary>
public sealed class Job
{
    public Guid Id { get; set; }
    public JobStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    // The recording as it was uploaded (the bytes live in the RecordingStore).
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    public required string Sha256 { get; set; }

    public string? CallbackUrl { get; set; }
    /// <summary>The caller's metadata, a JSON object kept verbatim.</summary>
    public string? MetadataJson { get; set; }

    // Processing bookkeeping.
    public int Attempts { get; set; }
    public Guid? ClaimToken { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public string? WorkerName { get; set; }
    /// <summary>When an AnalyzeRecording message was last published; the recovery sweep re-publishes stuck jobs.</summary>
    public DateTime LastPublishedAt { get; set; }

    // Outcome: result when Succeeded, error when Failed.
    public string? Emotion { get; set; }
    /// <summary>JSON object label → probability, in contract label order.</summary>
    public string? ProbabilitiesJson { get; set; }
    public string? ModelVersion { get; set; }
    public double? DurationSeconds { get; set; }
    public int? SampleRate { get; set; }
    public int? Channels { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }

    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed;
}
