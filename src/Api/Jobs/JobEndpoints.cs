using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Api.Uploads;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.ServiceDefaults.Telemetry;

namespace SpeechEmotion.Api.Jobs;

public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapPost("/", SubmitJob)
            .WithName("SubmitJob")
            .WithSummary("Upload a recording; it is analysed in the background.")
            .WithDescription("multipart/form-data: `file` (required), `callbackUrl` (optional absolute http(s) URL, stored), `metadata` (optional JSON object, kept with the job).")
            .Accepts<UploadForm>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .DisableAntiforgery();

        jobs.MapGet("/{id}", GetJob)
            .WithName("GetJob")
            .WithSummary("Status of a job, with its result or error once finished.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
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

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob(string id, JobsDbContext db, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        // Not a route constraint: a malformed id is just another unknown job, with the same 404 and code.
        if (!Guid.TryParse(id, out var jobId))
        {
            return NoSuchJob(id);
        }
        using var _ = loggers.CreateLogger(typeof(JobEndpoints)).BeginJobScope(jobId);
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null)
        {
            return NoSuchJob(id);
        }
        return TypedResults.Ok(JobViews.Describe(job));
    }

    private static ProblemHttpResult NoSuchJob(string id) =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.JobNotFound, "There is no job with this id.");
}

/// <summary>Documents the multipart form in the OpenAPI document; the body itself is streamed by <see cref="UploadReader"/>.</summary>
public sealed record UploadForm(IFormFile File, string? CallbackUrl, string? Metadata);
