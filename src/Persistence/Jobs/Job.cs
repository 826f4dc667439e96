using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Jobs;

/// <summary>
/// One request to analyse a recording, and what became of it. All times are UTC.
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

    /// <summary>The recording this job analyses (its facts and audio); see <see cref="Recording"/>.</summary>
    public Guid RecordingId { get; set; }
    public Recording? Recording { get; set; }

    public string? CallbackUrl { get; set; }
    /// <summary>The caller's metadata, a JSON object kept verbatim.</summary>
    public string? MetadataJson { get; set; }

    // Processing bookkeeping.
    public int Attempts { get; set; }
    public Guid? ClaimToken { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public string? WorkerName { get; set; }
    /// <summary>When an AnalyzeRecording message was last published (or its publish attempted).</summary>
    public DateTime LastPublishedAt { get; set; }
    /// <summary>
    /// When the transport confirmed that last publish; null while unconfirmed. A confirmed message is in a durable
    /// queue (RabbitMQ) and is not published again by the recovery sweep however long the queue is, so a backlog is
    /// never multiplied by re-publishing; an unconfirmed one (the process died or the broker was away) is.
    /// </summary>
    public DateTime? AnalysisPublishedAt { get; set; }

    // What the caller asked for (POST /jobs form fields channels and channelNames).
    public ChannelHandling ChannelHandling { get; set; } = ChannelHandling.Mix;
    /// <summary>Names of channels 0, 1, ... as the caller gave them; empty for the defaults.</summary>
    public List<string> ChannelNames { get; set; } = [];

    // Outcome: error when Failed. Results are rows of job_results (JobResult), one per successful analysis.
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>When the JobFinished event of this job was confirmed published; null until then (the sweep announces it).</summary>
    public DateTime? FinishedPublishedAt { get; set; }

    public AnalysisRequest Request => new(ChannelHandling, ChannelNames);

    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed;
}
