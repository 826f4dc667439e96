using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Options;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Processing.Consuming;

/// <summary>
/// Claims the job, runs the analyzer on its recording and writes the outcome.
/// Bad audio fails the job (never retried); anything else is thrown so MassTransit retries it, and after the
/// last retry <see cref="AnalyzeRecordingFaultConsumer"/> fails the job.
/// </summary>
public sealed class AnalyzeRecordingConsumer(
    JobLifecycle lifecycle,
    RecordingStore recordings,
    CallAnalyzer analyzer,
    IOptions<ProcessingOptions> options,
    IHostApplicationLifetime lifetime,
    QueuedMessageDurability queue,
    SpeechEmotionMetrics metrics,
    TimeProvider time,
    IServiceScopeFactory scopes,
    ILogger<AnalyzeRecordingConsumer> logger) : IConsumer<AnalyzeRecording>
{
    public async Task Consume(ConsumeContext<AnalyzeRecording> context)
    {
        var jobId = context.Message.JobId;
        var cancellationToken = context.CancellationToken;
        using var _ = logger.BeginJobScope(jobId);
        if (LeaveToNextProcess())
        {
            return;
        }

        // The message id is the claim token: a retry or redelivery of this very message may take its own claim back.
        // An in-process retry (transient failure) is the same attempt; a new delivery counts as another one.
        var claimToken = context.MessageId ?? NewId.NextGuid();
        // A retry whose first try failed before its claim was written (the database was away) claims it now.
        var isRetry = context.GetRetryAttempt() > 0;
        var claim = isRetry
            ? await lifecycle.TryReclaimForRetryAsync(jobId, claimToken, cancellationToken)
                ?? await lifecycle.TryClaimAsync(jobId, claimToken, cancellationToken)
            : await lifecycle.TryClaimAsync(jobId, claimToken, cancellationToken);
        if (claim is null)
        {
            await AcknowledgeUnclaimable(jobId, cancellationToken);
            return;
        }
        var claimedAt = time.GetTimestamp();
        if (!isRetry && context.SentTime is { } sentAt)
        {
            metrics.JobClaimed(time.GetUtcNow().UtcDateTime - sentAt);
        }

        logger.LogInformation("Job {JobId} claimed by {Worker} (attempt {Attempt})", jobId, WorkerIdentity.Name, claim.Attempts);
        if (!await WaitInjectedDelay(claim, cancellationToken))
        {
            return;
        }

        await AnalyzeAndRecord(claim, claimedAt, cancellationToken);
    }

    private async Task AnalyzeAndRecord(ClaimedJob claim, long claimedAt, CancellationToken cancellationToken)
    {
        EmotionResult result;
        var inference = TimeSpan.Zero;
        await using var renewal = LeaseRenewal.Start(claim, scopes, options.Value.EffectiveLeaseRenewalInterval, logger);
        using var analysing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, renewal.ClaimLost);
        try
        {
            await using var audio = await recordings.OpenAsync(claim.RecordingId, analysing.Token);
            result = await analyzer.AnalyzeAsync(audio, claim.FileName, claim.Request, analysing.Token,
                onInferenceMeasured: measured => inference = measured);
        }
        catch (OperationCanceledException) when (renewal.ClaimLost.IsCancellationRequested)
        {
            return;   // another worker owns the job now and will write its outcome
        }
        catch (AudioRejectedException rejected)
        {
            logger.LogInformation("Job {JobId} rejected: {ErrorCode} {Reason}", claim.JobId, rejected.Code, rejected.Message);
            await RecordFailure(claim, claimedAt, rejected.Code, rejected.Message, cancellationToken);
            return;
        }
        catch (RecordingMissingException missing)
        {
            logger.LogError("Job {JobId} has no audio (recording {RecordingId})", claim.JobId, claim.RecordingId);
            await RecordFailure(claim, claimedAt, ErrorCodes.ProcessingFailed, missing.Message, cancellationToken);
            return;
        }

        metrics.RecordingAnalysed(result.Audio.DurationSeconds, inference);
        if (await lifecycle.RecordSuccessAsync(claim, result, cancellationToken))
        {
            metrics.JobSucceeded(time.GetElapsedTime(claimedAt));
            logger.LogInformation("Job {JobId} succeeded: {Emotion}", claim.JobId, result.Emotion);
            return;
        }
        logger.LogWarning("Job {JobId} finished but its claim was lost (lease expired); result discarded", claim.JobId);
    }

    private async Task RecordFailure(ClaimedJob claim, long claimedAt, string errorCode, string message, CancellationToken cancellationToken)
    {
        if (await lifecycle.RecordFailureAsync(claim, errorCode, message, cancellationToken))
        {
            metrics.JobFailed(errorCode, time.GetElapsedTime(claimedAt));
        }
    }

    /// <summary>
    /// A stopping in-memory bus hands every message still in its queue to the consumers before it stops: thousands of
    /// queued jobs would hold the host open until all were analysed. Once the host is stopping, such a message is
    /// acknowledged untouched instead: its job stays "queued" in the database, and the next process's recovery sweep
    /// publishes it again (<see cref="QueuedMessageDurability"/>). A broker keeps its queue across the stop, so there
    /// every delivered message is worked as usual.
    /// </summary>
    private bool LeaveToNextProcess()
    {
        if (!lifetime.ApplicationStopping.IsCancellationRequested || !queue.LostWhenProcessStops)
        {
            return false;
        }
        logger.LogDebug("Job left queued for the next process: the host is stopping");
        return true;
    }

    /// <summary>
    /// Processing:DelayBeforeAnalysis (fault injection for tests). A graceful shutdown during the wait hands the job
    /// back instead of holding the host open (or running the analyzer while its model is being disposed).
    /// </summary>
    private async Task<bool> WaitInjectedDelay(ClaimedJob claim, CancellationToken cancellationToken)
    {
        var delay = options.Value.DelayBeforeAnalysis;
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(delay, stopping.Token);
            return true;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await lifecycle.ReleaseAsync(claim, CancellationToken.None);
            logger.LogWarning("Job {JobId} handed back to the queue: the host is stopping", claim.JobId);
            return false;
        }
    }

    /// <summary>Duplicate or late messages are acknowledged and ignored; a job out of attempts is failed here.</summary>
    private async Task AcknowledgeUnclaimable(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await lifecycle.FindRowAsync(jobId, cancellationToken);
        if (job is null)
        {
            logger.LogWarning("Job {JobId} does not exist; message ignored", jobId);
            return;
        }
        if (!job.IsFinished && job.Attempts >= options.Value.MaxAttempts)
        {
            logger.LogError("Job {JobId} used all {Attempts} attempts; failing it", jobId, job.Attempts);
            if (await lifecycle.FailUnfinishedAsync(jobId, ErrorCodes.ProcessingFailed,
                    $"The recording could not be processed after {job.Attempts} attempts.", cancellationToken))
            {
                metrics.JobFailed(ErrorCodes.ProcessingFailed);
            }
            return;
        }
        logger.LogInformation("Job {JobId} is {Status} (worker {Worker}); duplicate message ignored", jobId, job.Status, job.WorkerName);
    }
}
