using MassTransit;
using Microsoft.Extensions.Logging;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Processing.Consuming;

/// <summary>
/// An AnalyzeRecording message that failed every retry has gone to the error queue; MassTransit publishes a
/// Fault for it, and this marks its job failed so callers stop waiting.
/// </summary>
public sealed class AnalyzeRecordingFaultConsumer(
    JobLifecycle lifecycle,
    SpeechEmotionMetrics metrics,
    ILogger<AnalyzeRecordingFaultConsumer> logger) : IConsumer<Fault<AnalyzeRecording>>
{
    public async Task Consume(ConsumeContext<Fault<AnalyzeRecording>> context)
    {
        var jobId = context.Message.Message.JobId;
        using var _ = logger.BeginJobScope(jobId);
        var reason = context.Message.Exceptions.FirstOrDefault()?.Message ?? "unknown error";
        var failed = await lifecycle.FailUnfinishedAsync(jobId, ErrorCodes.ProcessingFailed,
            "The recording could not be processed; the service will not retry it.", context.CancellationToken);
        if (failed)
        {
            metrics.JobFailed(ErrorCodes.ProcessingFailed);
            logger.LogError("Job {JobId} failed after retries: {Reason}", jobId, reason);
        }
    }
}
