using System.Text.Json;
using System.Text.Json.Serialization;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Jobs;

namespace SpeechEmotion.Processing.Jobs;

// The JSON shapes of /jobs. Null members are left out of the JSON (result or error, never both).
// One home for every process that writes a job: the Api's GET /jobs/{id} and the webhook deliveries ("data").

public sealed record JobLinks(string Self);

public sealed record JobAccepted(Guid Id, string Status, JobLinks Links);

public sealed record JobView(
    Guid Id,
    string Status,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    int Attempts,
    string? Worker,
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
    /// <summary>How a job is written outside ASP.NET Core (webhook bodies): the Api's HTTP JSON settings, web defaults without nulls.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

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
        job.WorkerName,
        new RecordingView(job.FileName, job.ContentType, job.SizeBytes, job.Sha256),
        job.CallbackUrl,
        MetadataOf(job),
        ResultOf(job, withSegments),
        ErrorOf(job),
        new JobLinks(SelfLink(job.Id)));

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
