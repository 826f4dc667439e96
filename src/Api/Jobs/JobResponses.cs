using System.Text.Json;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Jobs;

namespace SpeechEmotion.Api.Jobs;

// The JSON shapes of /jobs. Null members are left out of the JSON (result or error, never both).

public sealed record JobLinks(string Self);

public sealed record JobAccepted(Guid Id, string Status, JobLinks Links);

public sealed record JobView(
    Guid Id,
    string Status,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    int Attempts,
    RecordingView Recording,
    string? CallbackUrl,
    JsonElement? Metadata,
    EmotionResult? Result,
    JobErrorView? Error,
    JobLinks Links);

public sealed record RecordingView(string FileName, string ContentType, long SizeBytes, string Sha256);

public sealed record JobErrorView(string Code, string Message);

public static class JobViews
{
    public static string StatusName(JobStatus status) => status.ToString().ToLowerInvariant();

    public static string SelfLink(Guid jobId) => $"/jobs/{jobId}";

    public static JobAccepted Accepted(Job job) => new(job.Id, StatusName(job.Status), new JobLinks(SelfLink(job.Id)));

    /// <param name="withSegments">Whether the channel blocks keep their segments (<c>?include=segments</c>).</param>
    public static JobView Describe(Job job, bool withSegments) => new(
        job.Id,
        StatusName(job.Status),
        job.CreatedAt,
        job.StartedAt,
        job.CompletedAt,
        job.Attempts,
        new RecordingView(job.FileName, job.ContentType, job.SizeBytes, job.Sha256),
        ShownCallbackUrl(job.CallbackUrl),
        MetadataOf(job),
        ResultOf(job, withSegments),
        ErrorOf(job),
        new JobLinks(SelfLink(job.Id)));

    /// <summary>
    /// The callback URL as clients see it: scheme, host, port and path only. Its user info and query string (where
    /// receivers put credentials: <c>https://user:secret@…</c>, <c>?token=…</c>) and fragment are stored and used for
    /// delivery, never shown. (The worker's host name is not shown either: it is operators' business, in the logs.)
    /// </summary>
    public static string? ShownCallbackUrl(string? callbackUrl) =>
        Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : null;

    /// <summary>Left out when it could not be written back (stored before <see cref="MetadataRules"/> guarded the door): the job still answers.</summary>
    public static JsonElement? MetadataOf(Job job) =>
        job.MetadataJson is not null && MetadataRules.CanBeServed(job.MetadataJson)
            ? JsonDocument.Parse(job.MetadataJson).RootElement.Clone()
            : null;

    public static EmotionResult? ResultOf(Job job, bool withSegments) => job.Status == JobStatus.Succeeded && job.Result is { } result
        ? withSegments ? result : result.WithoutSegments()
        : null;

    public static JobErrorView? ErrorOf(Job job) => job.Status == JobStatus.Failed
        ? new JobErrorView(job.ErrorCode ?? "processing_failed", job.ErrorMessage ?? "")
        : null;

}
