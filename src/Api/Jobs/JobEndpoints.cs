using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using SpeechEmotion.Api.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.ServiceDefaults.Telemetry;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Api.Jobs;

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapPost("/", SubmitJob)
            .WithName("SubmitJob")
            .WithSummary("Upload a recording; it is analysed in the background.")
            .WithDescription("multipart/form-data: `file` (required), `callbackUrl` (optional absolute http(s) URL, stored), `metadata` (optional JSON object, kept with the job), `channels` (optional: `mix`, the default, or `split` to analyse each channel on its own), `channelNames` (optional comma-separated names of channels 0, 1, ..., e.g. `agent,customer`).")
            .Accepts<UploadForm>("multipart/form-data")
            .ProducesUploadProblems()
            .DisableAntiforgery();

        jobs.MapGet("/{id}", GetJob)
            .WithName("GetJob")
            .WithSummary("Status of a job, with its newest result or its error once finished.")
            .WithDescription("`?include=segments` adds each channel's segments (stretches where one emotion holds). A job of another tenant is not found, like an unknown one.")
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.InvalidInclude)
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound);

        jobs.MapDelete("/{id}", DeleteJob)
            .WithName("DeleteJob")
            .WithSummary("Delete a job: its audio, every result and the recording's facts. 204, then 404 for this id.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound);

        jobs.MapGet("/{id}/results", GetResults)
            .WithName("GetJobResults")
            .WithSummary("Every result the job has had (one per successful analysis, reprocessing included), newest first, each with its model version and time.")
            .WithDescription("`?include=segments` adds each channel's segments.")
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.InvalidInclude)
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound);

        jobs.MapGet("/{id}/timeline.png", GetTimeline)
            .WithName("GetJobTimeline")
            .WithSummary("The job's emotion timeline as a PNG: one lane per channel, segments coloured by emotion.")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound)
            .ProducesProblemCodes(StatusCodes.Status409Conflict, ErrorCodes.JobNotFinished, ErrorCodes.JobFailed);

        return app;
    }

    /// <summary>The problem answers of a multipart upload (POST /jobs, POST /emotion), for the OpenAPI document.</summary>
    internal static RouteHandlerBuilder ProducesUploadProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.EmptyUpload, ErrorCodes.MissingFile, ErrorCodes.InvalidCallbackUrl,
            ErrorCodes.InvalidMetadata, ErrorCodes.InvalidChannels, ErrorCodes.InvalidChannelNames, ErrorCodes.MalformedMultipart, ErrorCodes.InvalidRequest)
        .ProducesProblemCodes(StatusCodes.Status408RequestTimeout, ErrorCodes.UploadTimeout)
        .ProducesProblemCodes(StatusCodes.Status413PayloadTooLarge, ErrorCodes.UploadTooLarge)
        .ProducesProblemCodes(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotMultipart);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetTimeline([Description("The job's id (from POST /jobs).")] string id, JobLifecycle lifecycle,
        CancellationToken cancellationToken)
    {
        var snapshot = await FindJob(id, lifecycle, cancellationToken);
        if (snapshot is null)
        {
            return NoSuchJob(id);
        }
        if (snapshot.Newest is { } newest)
        {
            return TypedResults.File(TimelineImage.Png(newest.Result), "image/png");
        }
        return snapshot.Job.Status == JobStatus.Failed
            ? ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.JobFailed, "The job failed; it has no timeline.")
            : ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.JobNotFinished, "The job has not finished; its timeline exists once it has succeeded.");
    }

    private static async Task<Accepted<JobAccepted>> SubmitJob(HttpRequest request, UploadReader uploads, JobSubmitter submitter,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        await using var upload = await uploads.ReadAsync(request, cancellationToken);
        var jobId = Guid.CreateVersion7();
        using var _ = loggers.CreateLogger(typeof(JobEndpoints)).BeginJobScope(jobId);
        var job = await submitter.SubmitAsync(jobId, upload, cancellationToken);
        return TypedResults.Accepted(JobViews.SelfLink(job.Id), JobViews.Accepted(job));
    }

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob([Description("The job's id (from POST /jobs).")] string id, [Description("`segments`: add each channel's segments to the result.")] string? include, JobLifecycle lifecycle,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!TryReadIncludes(include, out var withSegments))
        {
            return InvalidInclude();
        }
        var snapshot = await FindJob(id, lifecycle, cancellationToken);
        if (snapshot is null)
        {
            return NoSuchJob(id);
        }
        using var _ = loggers.CreateLogger(typeof(JobEndpoints)).BeginJobScope(snapshot.Job.Id);
        return TypedResults.Ok(JobViews.Describe(snapshot, withSegments));
    }

    private static async Task<Results<Ok<JobResultsView>, ProblemHttpResult>> GetResults([Description("The job's id (from POST /jobs).")] string id, [Description("`segments`: add each channel's segments to the result.")] string? include, JobLifecycle lifecycle,
        CancellationToken cancellationToken)
    {
        if (!TryReadIncludes(include, out var withSegments))
        {
            return InvalidInclude();
        }
        if (!Guid.TryParse(id, out var jobId) || await lifecycle.FindRowAsync(jobId, cancellationToken) is null)
        {
            return NoSuchJob(id);
        }
        var outcomes = await lifecycle.ListResultsAsync(jobId, cancellationToken);
        return TypedResults.Ok(JobViews.Results(jobId, outcomes, withSegments));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteJob([Description("The job's id (from POST /jobs).")] string id, JobLifecycle lifecycle,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId) || !await lifecycle.DeleteAsync(jobId, cancellationToken))
        {
            return NoSuchJob(id);
        }
        loggers.CreateLogger(typeof(JobEndpoints)).LogInformation("Job {JobId} deleted with its audio and results", jobId);
        return TypedResults.NoContent();
    }

    /// <summary><c>?include=segments</c> is the only include there is.</summary>
    private static bool TryReadIncludes(string? include, out bool withSegments)
    {
        var includes = (include ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        withSegments = includes.Length > 0;
        return includes.All(part => part.Equals("segments", StringComparison.OrdinalIgnoreCase));
    }

    private static ProblemHttpResult InvalidInclude() =>
        ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidInclude, "include may only name 'segments'.");

    private static ProblemHttpResult NoSuchJob(string id) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound, "There is no job with this id.");

    /// <summary>Not a route constraint: a malformed id is just another unknown job, with the same 404 and code.</summary>
    internal static async Task<JobSnapshot?> FindJob(string id, JobLifecycle lifecycle, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var jobId) ? await lifecycle.FindAsync(jobId, cancellationToken) : null;
}

/// <summary>Documents the multipart form in the OpenAPI document; the body itself is streamed by <see cref="UploadReader"/>.</summary>
public sealed record UploadForm(
    [property: Description("The recording: WAV (PCM, float, G.711, GSM, ADPCM), MP3, Ogg Vorbis/Opus, FLAC, M4A/AAC or WebM, named with its extension.")]
    IFormFile File,
    [property: Description("Absolute http(s) URL, stored with the job. Its user info and query string are never shown back.")]
    string? CallbackUrl = null,
    [property: Description("A JSON object kept with the job and returned as `metadata` (at most 64 KB, 32 levels).")]
    string? Metadata = null,
    [property: Description("`mix` (default): average the channels; `split`: analyse each channel on its own.")]
    string? Channels = null,
    [property: Description("Comma-separated names of channels 0, 1, ..., e.g. `agent,customer` (letters, digits, space, `-`, `_`).")]
    string? ChannelNames = null);
