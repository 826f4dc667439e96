namespace SpeechEmotion.Processing.Options;

/// <summary>Settings of the job pipeline, bound from the configuration section "Processing".</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>How long a claim is exclusive. A job still "processing" past its lease is presumed orphaned by a crash.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often a worker still analysing a job extends its lease (by LeaseDuration from then). Keep it well under
    /// LeaseDuration, so a long call never looks orphaned while its worker is alive; a dead worker stops renewing
    /// and the recovery sweep hands the job to another one once the lease runs out. Unset: a quarter of LeaseDuration.
    /// </summary>
    public TimeSpan? LeaseRenewalInterval { get; set; }

    public TimeSpan EffectiveLeaseRenewalInterval => LeaseRenewalInterval ?? LeaseDuration / 4;

    /// <summary>How often the recovery sweep looks for stuck jobs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A job still "queued" this long after its message was published is published again (lost message).</summary>
    public TimeSpan QueuedRepublishAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A finished job whose JobFinished event was not confirmed published this long after it ended (its process
    /// died between the database write and the publish, or the broker was away) is announced by the sweep.
    /// Longer than a publish takes, so the sweep does not race the worker's own publish.
    /// </summary>
    public TimeSpan FinishedRepublishAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A stored recording with no job row this long after it was written is deleted by the sweep: its upload died
    /// between the two writes. Far longer than the gap between them, so an upload in flight is never touched.
    /// </summary>
    public TimeSpan OrphanRecordingAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A batch still unsealed with no member added for this long lost its intake (the Api died mid-archive, mid-folder
    /// or mid-reprocessing): the recovery sweep seals it, marked <c>"intake": "interrupted"</c>, and it completes
    /// with the members it got. Longer than one member may take to arrive (an archive's body may take up to
    /// Uploads:MaxUploadDuration, 30 min by default), so a slow upload that is still alive is never sealed under it.
    /// </summary>
    public TimeSpan BatchIntakeAbandonedAfter { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>Claims a job may get before it is failed with processing_failed (protects against poison recordings that kill the worker).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Messages one process analyses at once. Default: the number of processor cores.</summary>
    public int ConcurrentMessageLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Messages of the batch queue (analyze-recording-batch) one process analyses at once, on top of the live ones.
    /// Default: half the cores, at least one, so batch work always leaves room for live jobs.
    /// </summary>
    public int BatchConcurrentMessageLimit { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// FAULT INJECTION FOR TESTS ONLY: wait this long after claiming a job and before analysing it, so a test can
    /// kill a worker mid-job. Leave at zero in production.
    /// </summary>
    public TimeSpan DelayBeforeAnalysis { get; set; } = TimeSpan.Zero;

    /// <summary>Waits between in-process retries of a transient failure (database or bus). Default 0.2 s, 1 s, 5 s.</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    public TimeSpan[] EffectiveRetryIntervals =>
        RetryIntervals is { Length: > 0 } ? RetryIntervals : [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];
}
