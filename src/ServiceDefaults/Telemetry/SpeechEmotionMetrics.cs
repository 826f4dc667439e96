using System.Diagnostics.Metrics;

namespace SpeechEmotion.ServiceDefaults.Telemetry;

/// <summary>
/// Every instrument of the service's own meter, in one place; the code that owns an event calls the method here.
/// Prometheus names (from <c>GET /metrics</c>): dots become underscores, the unit <c>s</c> adds <c>_seconds</c>,
/// counters end in <c>_total</c>. Dashboards and alerts depend on these names: never rename one.
/// </summary>
public sealed class SpeechEmotionMetrics
{
    public const string MeterName = "SpeechEmotion";

    /// <summary>The <c>code</c> label of a job that succeeded (a failed job carries its error code).</summary>
    public const string NoErrorCode = "none";

    // Seconds, from a few milliseconds (a short WAV in embedded mode) to minutes (a long call behind a queue).
    private static readonly double[] JobSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    // One ONNX run takes about 1.4 ms on a 3 s clip (README, Figures); two-minute clips take longer.
    private static readonly double[] InferenceSecondsBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Counter<long> jobsAccepted;
    private readonly Counter<long> jobsCompleted;
    private readonly Histogram<double> queueWait;
    private readonly Histogram<double> processingDuration;
    private readonly Histogram<double> inferenceDuration;
    private readonly Counter<double> audioAnalysed;
    private readonly Counter<long> webhookDeliveries;

    public SpeechEmotionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);

        // speechemotion_jobs_accepted_total
        jobsAccepted = meter.CreateCounter<long>("speechemotion.jobs.accepted", "{job}",
            "Jobs stored and handed to the queue (POST /jobs and POST /emotion).");

        // speechemotion_jobs_completed_total{status,code}
        jobsCompleted = meter.CreateCounter<long>("speechemotion.jobs.completed", "{job}",
            "Jobs that reached a final state; status is succeeded or failed, code is the job's error code (none when it succeeded).");

        // speechemotion_job_queue_wait_seconds_*
        queueWait = meter.CreateHistogram("speechemotion.job.queue_wait", "s",
            "From the message being published to a worker claiming its job.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = JobSecondsBuckets });

        // speechemotion_job_processing_duration_seconds_*{status}
        processingDuration = meter.CreateHistogram("speechemotion.job.processing.duration", "s",
            "From a worker claiming a job to its outcome being written (load, decode, analyse, save).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = JobSecondsBuckets });

        // speechemotion_inference_duration_seconds_*
        inferenceDuration = meter.CreateHistogram("speechemotion.inference.duration", "s",
            "One run of the emotion model (ONNX Runtime), without decoding or preprocessing.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = InferenceSecondsBuckets });

        // speechemotion_audio_analysed_seconds_total
        audioAnalysed = meter.CreateCounter<double>("speechemotion.audio.analysed", "s",
            "Seconds of uploaded audio (before silence trimming) the model was run on.");

        // speechemotion_webhook_deliveries_total{outcome}: one per attempt, recorded by the process that made it.
        webhookDeliveries = meter.CreateCounter<long>("speechemotion.webhook.deliveries", "{delivery}",
            "Webhook delivery attempts by outcome: delivered (2xx), retrying (failed, another attempt is scheduled), dead (out of retries), gone (410: the subscription is disabled).");
    }

    public void JobAccepted() => jobsAccepted.Add(1);

    /// <summary>The analyzer turned a recording into an emotion (whether or not its job result is then written).</summary>
    public void RecordingAnalysed(double audioSeconds, TimeSpan inference)
    {
        audioAnalysed.Add(audioSeconds);
        inferenceDuration.Record(inference.TotalSeconds);
    }

    public void JobSucceeded(TimeSpan processing)
    {
        jobsCompleted.Add(1, new("status", "succeeded"), new("code", NoErrorCode));
        processingDuration.Record(processing.TotalSeconds, new KeyValuePair<string, object?>("status", "succeeded"));
    }

    /// <param name="processing">Time since this worker claimed the job; null where no claim was held (a faulted message, a job out of attempts).</param>
    public void JobFailed(string errorCode, TimeSpan? processing = null)
    {
        jobsCompleted.Add(1, new("status", "failed"), new("code", errorCode));
        if (processing is { } duration)
        {
            processingDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status", "failed"));
        }
    }

    /// <summary>The recovery sweep failed <paramref name="count"/> jobs at once (their workers died on every attempt).</summary>
    public void JobsFailed(string errorCode, int count) =>
        jobsCompleted.Add(count, new("status", "failed"), new("code", errorCode));

    public void JobClaimed(TimeSpan queueWaited) => queueWait.Record(Math.Max(0, queueWaited.TotalSeconds));

    /// <summary>One webhook attempt. <paramref name="outcome"/>: delivered, retrying, dead or gone.</summary>
    public void WebhookDelivered(string outcome) => webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
