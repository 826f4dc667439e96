using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Jobs;

/// <summary>
/// One uploaded recording and what became of it. All times are UTC.
/// The claim columns (<see cref="ClaimToken"/>, <see cref="LeaseExpiresAt"/>, <see cref="WorkerName"/>) let
/// exactly one worker own the job at a time; only the owner may write the outcome.
/// </summary>
public sealed class Job : ITenantOwned
{
    public Guid Id { get; set; }
    /// <summary>Whose job it is: stamped from the submitting request's tenant; other tenants never see it.</summary>
    public Guid TenantId { get; set; }
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

    // What the caller asked for (POST /jobs form fields channels and channelNames).
    public ChannelHandling ChannelHandling { get; set; } = ChannelHandling.Mix;
    /// <summary>Names of channels 0, 1, ... as the caller gave them; empty for the defaults.</summary>
    public List<string> ChannelNames { get; set; } = [];

    // Outcome: result when Succeeded, error when Failed.
    /// <summary>The whole result, stored as one JSON column: written by Processing, read by the Api.</summary>
    public EmotionResult? Result { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }

    public AnalysisRequest Request => new(ChannelHandling, ChannelNames);

    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed;
}
