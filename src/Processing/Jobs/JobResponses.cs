using System.Text.Json;
using System.Text.Json.Serialization;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Processing.Jobs;

// The JSON shapes of /jobs. Null members are left out of the JSON (result or error, never both).
// One home for every process that writes a job: the Api's GET /jobs/{id} and the webhook deliveries ("data").

public sealed record JobLinks(string Self, string? Results = null);

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

/// <param name="Audio"><c>stored</c>, or <c>deleted</c> once retention (Retention:AudioDays) or a rejection removed it; the facts and results stay.</param>
/// <param name="AudioDeletedAt">When the audio was deleted; left out while it is stored.</param>
public sealed record RecordingView(Guid Id, string FileName, string ContentType, long SizeBytes, string Sha256, DateTime CreatedAt, string Audio,
    DateTime? AudioDeletedAt);

/// <summary>One result of <c>GET /jobs/{id}/results</c>: which model, when, and what it said.</summary>
public sealed record JobResultView(string ModelVersion, DateTime CreatedAt, EmotionResult Result);

/// <summary><c>GET /jobs/{id}/results</c>: every result the job has had, newest first.</summary>
public sealed record JobResultsView(Guid JobId, IReadOnlyList<JobResultView> Items, JobLinks Links);

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
    /// <remarks>
    /// <c>result</c> is the newest result, shown whenever the job has one: while a reprocessing run is queued or
    /// running, and even when that run failed (then beside its <c>error</c>); the older ones are at <c>/results</c>.
    /// </remarks>
    public static JobView Describe(JobSnapshot snapshot, bool withSegments)
    {
        var job = snapshot.Job;
        return new JobView(
            job.Id,
            StatusName(job.Status),
            job.CreatedAt,
            job.StartedAt,
            job.CompletedAt,
            job.Attempts,
            Describe(snapshot.Recording),
            ShownCallbackUrl(job.CallbackUrl),
            MetadataOf(job),
            snapshot.Newest is { } newest ? Shaped(newest.Result, withSegments) : null,
            ErrorOf(job),
            new JobLinks(SelfLink(job.Id), ResultsLink(job.Id)));
    }

    public static RecordingView Describe(Recording recording) => new(recording.Id, recording.FileName, recording.ContentType,
        recording.SizeBytes, recording.Sha256, recording.CreatedAt, recording.HasAudio ? "stored" : "deleted", recording.AudioDeletedAt);

    public static JobResultsView Results(Guid jobId, IReadOnlyList<AnalysisOutcome> outcomes, bool withSegments) => new(
        jobId,
        outcomes.Select(o => new JobResultView(o.ModelVersion, o.CreatedAt, Shaped(o.Result, withSegments))).ToList(),
        new JobLinks(SelfLink(jobId), ResultsLink(jobId)));

    public static string ResultsLink(Guid jobId) => $"/jobs/{jobId}/results";

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

    private static EmotionResult Shaped(EmotionResult result, bool withSegments) => withSegments ? result : result.WithoutSegments();

    public static JobErrorView? ErrorOf(Job job) => job.Status == JobStatus.Failed
        ? new JobErrorView(job.ErrorCode ?? "processing_failed", job.ErrorMessage ?? "")
        : null;

}
