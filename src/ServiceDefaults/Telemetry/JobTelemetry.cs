using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SpeechEmotion.ServiceDefaults.Telemetry;

/// <summary>
/// Ties logs and traces to a job. Every piece of code that starts working on one job (the Api's job endpoints,
/// the consumers) opens this scope first, so each log line about the job carries <c>JobId</c> and the current
/// span (the HTTP request, MassTransit's consume span) carries the <c>speechemotion.job.id</c> tag.
/// </summary>
public static class JobTelemetry
{
    public const string ActivityTag = "speechemotion.job.id";

    public static IDisposable? BeginJobScope(this ILogger logger, Guid jobId)
    {
        Activity.Current?.SetTag(ActivityTag, jobId.ToString());
        return logger.BeginScope("JobId:{JobId}", jobId);   // simple console: "=> JobId:…"; JSON: Scopes[].JobId
    }
}
