using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Api.OpenApi;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.ServiceDefaults.Telemetry;
using SpeechEmotion.Persistence.Jobs;

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
            .WithSummary("Status of a job, with its result or error once finished.")
            .WithDescription("`?include=segments` adds each channel's segments (stretches where one emotion holds). A job of another tenant is not found, like an unknown one.")
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

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetTimeline(
        [Description("The job's id (from POST /jobs).")] string id, JobsDbContext db, CancellationToken cancellationToken)
    {
        var job = await FindJob(id, db, cancellationToken);
        if (job is null)
        {
            return NoSuchJob(id);
        }
        if (job.Status == JobStatus.Failed)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.JobFailed, "The job failed; it has no timeline.");
        }
        if (job.Result is not { } result)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.JobNotFinished, "The job has not finished; its timeline exists once it has succeeded.");
        }
        return TypedResults.File(TimelineImage.Png(result), "image/png");
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

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob(
        [Description("The job's id (from POST /jobs).")] string id,
        [Description("`segments`: add each channel's segments to the result.")] string? include,
        JobsDbContext db,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var includes = (include ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (includes.Any(part => !part.Equals("segments", StringComparison.OrdinalIgnoreCase)))
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidInclude, "include may only name 'segments'.");
        }
        var job = await FindJob(id, db, cancellationToken);
        using var _ = job is null ? null : loggers.CreateLogger(typeof(JobEndpoints)).BeginJobScope(job.Id);
        if (job is null)
        {
            return NoSuchJob(id);
        }
        return TypedResults.Ok(JobViews.Describe(job, withSegments: includes.Length > 0));
    }

    private static ProblemHttpResult NoSuchJob(string id) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound, "There is no job with this id.");

    /// <summary>Not a route constraint: a malformed id is just another unknown job, with the same 404 and code.</summary>
    internal static async Task<Job?> FindJob(string id, JobsDbContext db, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var jobId)
            ? await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken)
            : null;
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
