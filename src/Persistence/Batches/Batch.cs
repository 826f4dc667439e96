using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Batches;

/// <summary>
/// Many jobs asked for at once: an archive's members, a server-side folder's files, or existing recordings sent
/// through the model again. Which jobs belong to it is in <see cref="BatchMember"/> rows; how far it got is counted
/// from those jobs' rows. All times are UTC.
/// </summary>
public sealed class Batch : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public BatchKind Kind { get; set; }
    public BatchStatus Status { get; set; }
    /// <summary>
    /// All members have been added. Until then the batch cannot complete, however many of the members added so far
    /// have finished (the first member may finish while the archive is still being read).
    /// </summary>
    public bool Sealed { get; set; }

    /// <summary>
    /// Sealed with members missing: its intake ended early (the client went away mid-archive, the archive turned
    /// unreadable, the database failed, or the Api died and the recovery sweep sealed it). The batch still completes
    /// with the members it got.
    /// </summary>
    public bool IntakeInterrupted { get; set; }

    /// <summary>
    /// When the last member was added (the creation time until then). A batch left unsealed with no member for
    /// Processing:BatchIntakeAbandonedAfter lost its intake with its process, and the recovery sweep seals it.
    /// </summary>
    public DateTime LastMemberAddedAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>What it was made from: the archive's file name, the folder, or the reprocessing selection as JSON.</summary>
    public required string Source { get; set; }

    // The counts when the batch completed: its jobs may be reprocessed by a later batch, so they are counted once
    // and kept. A running or cancelled batch is counted from its jobs' rows when asked.
    public int Total { get; set; }
    public int Queued { get; set; }
    public int Running { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
}

public enum BatchKind
{
    Archive,
    Folder,
    Reprocess,
}

public enum BatchStatus
{
    Running,
    Completed,
    Cancelled,
}

/// <summary>A job belongs to a batch. A job keeps its membership of earlier batches when a later one reprocesses it.</summary>
public sealed class BatchMember
{
    public Guid BatchId { get; set; }
    public Guid JobId { get; set; }
}
