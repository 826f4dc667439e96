using SpeechEmotion.Api.OpenApi;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Batches;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Api.Batches;

public static class BatchEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder app)
    {
        var batches = app.MapGroup("/batches").WithTags("Batches");

        batches.MapPost("/", CreateBatch)
            .WithName("CreateBatch")
            .WithSummary("Many jobs at once: an archive's members, a server-side folder's files, or existing recordings analysed again.")
            .WithDescription("""
                Three forms. multipart/form-data with an `archive` field (zip, tar or tar.gz): each file member becomes a job;
                a member that is not audio, empty, too large or unreadable becomes a failed job with its error code
                (`unsupported_format`, `corrupt_audio`, `empty_upload`, `upload_too_large`, `corrupt_archive_member`).
                JSON `{ "folder": "/abs/path" }`: the files of a server-side folder under `Batches:AllowedFolders`.
                JSON `{ "reprocess": { "batchId", "jobIds", "status", "createdAfter", "createdBefore", "modelVersionNot" } }`:
                finished jobs matching every given criterion are analysed again by the current model.
                Batch jobs go through their own queue, so they never delay live jobs. Problems: 400 `invalid_batch_request`,
                `missing_archive`, `unreadable_archive`, `malformed_multipart`, `folder_not_found`; 403 `folder_not_allowed`;
                408 `upload_timeout`; 415 `not_multipart`; 503 `service_unavailable`.
                """)
            // One Accepts for both media types (routing keeps only the last one); the multipart schema is set below.
            .Accepts<BatchRequest>("application/json", "multipart/form-data")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (operation.RequestBody?.Content?.TryGetValue("multipart/form-data", out var multipart) == true)
                {
                    multipart.Schema = await context.GetOrCreateSchemaAsync(typeof(ArchiveForm), null, cancellationToken);
                }
            })
            .Produces<BatchView>(StatusCodes.Status202Accepted)
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBatchRequest, ErrorCodes.MissingArchive, ErrorCodes.UnreadableArchive, ErrorCodes.MalformedMultipart, ErrorCodes.FolderNotFound)
            .ProducesProblemCodes(StatusCodes.Status403Forbidden, ErrorCodes.FolderNotAllowed)
            .ProducesProblemCodes(StatusCodes.Status408RequestTimeout, ErrorCodes.UploadTimeout)
            .ProducesProblemCodes(StatusCodes.Status413PayloadTooLarge, ErrorCodes.UploadTooLarge)
            .ProducesProblemCodes(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.NotMultipart)
            .DisableAntiforgery();

        batches.MapGet("/{id}", GetBatch)
            .WithName("GetBatch")
            .WithSummary("A batch's status (running, completed, cancelled) and how many of its jobs are in each state.")
            .WithDescription("`intake`: `receiving` while members are still being added, `complete` once all were, `interrupted` when the " +
                "intake ended early (the client went away mid-archive, the archive turned unreadable, or the Api stopped): the members " +
                "added so far are the batch, and it completes with them. Problems: 404 `batch_not_found`.")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.BatchNotFound);

        batches.MapGet("/{id}/jobs", GetBatchJobs)
            .WithName("GetBatchJobs")
            .WithSummary("A batch's jobs, a page at a time, oldest first; follow `next` for the following page.")
            .WithDescription("`?status=queued|running|succeeded|failed` keeps only jobs in that state; `?limit=` (1–1000, default 100). " +
                "Problems: 400 `invalid_batch_query`, 404 `batch_not_found`.")
            .ProducesProblemCodes(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBatchQuery)
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.BatchNotFound);

        batches.MapPost("/{id}/cancel", CancelBatch)
            .WithName("CancelBatch")
            .WithSummary("Cancels a running batch: its queued jobs fail with `batch_cancelled`; jobs already running finish.")
            .WithDescription("Problems: 404 `batch_not_found`, 409 `batch_not_running` (already completed or cancelled).")
            .ProducesProblemCodes(StatusCodes.Status404NotFound, ErrorCodes.BatchNotFound)
            .ProducesProblemCodes(StatusCodes.Status409Conflict, ErrorCodes.BatchNotRunning);

        return app;
    }

    private static async Task<Results<Accepted<BatchView>, ProblemHttpResult>> CreateBatch(HttpRequest request, BatchSources sources,
        BatchLifecycle lifecycle, BatchReprocessing reprocessing, IOptions<BatchOptions> options, JobsDbContext db,
        IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        Guid batchId;
        if (!IsJson(request))
        {
            batchId = await sources.FromArchiveUploadAsync(request, cancellationToken);
        }
        else
        {
            var body = await ReadJson(request, cancellationToken);
            batchId = body switch
            {
                { Folder: { } folder, Reprocess: null } => await sources.FromFolderAsync(folder, cancellationToken),
                { Folder: null, Reprocess: { } reprocess } =>
                    await Reprocess(ReprocessRules.Selection(reprocess, options.Value), lifecycle, reprocessing, lifetime),
                _ => throw InvalidRequest("Send exactly one of 'folder' and 'reprocess'."),
            };
        }
        var view = await Describe(batchId, db, cancellationToken);
        return TypedResults.Accepted(BatchViews.SelfLink(batchId), view);
    }

    /// <summary>
    /// Runs to the end even if the client goes away; a stopping host or a database failure ends it early, and the
    /// jobs re-queued so far are the batch (sealed, interrupted).
    /// </summary>
    private static async Task<Guid> Reprocess(ReprocessSelection selection, BatchLifecycle lifecycle, BatchReprocessing reprocessing,
        IHostApplicationLifetime lifetime)
    {
        var batch = await lifecycle.CreateAsync(BatchKind.Reprocess, ReprocessRules.Describe(selection), lifetime.ApplicationStopping);
        var end = IntakeEnd.Interrupted;
        try
        {
            await reprocessing.AddAndRequeueAsync(batch.Id, selection, lifetime.ApplicationStopping);
            end = IntakeEnd.Complete;
        }
        finally
        {
            await lifecycle.SealAsync(batch.Id, end, CancellationToken.None);
        }
        return batch.Id;
    }

    private static async Task<Results<Ok<BatchView>, ProblemHttpResult>> GetBatch(string id, JobsDbContext db, CancellationToken cancellationToken)
    {
        var batch = await FindBatch(id, db, cancellationToken);
        return batch is null ? NoSuchBatch() : TypedResults.Ok(await Describe(batch, db, cancellationToken));
    }

    private static async Task<Results<Ok<BatchJobsPage>, ProblemHttpResult>> GetBatchJobs(string id, string? status, int? limit, string? after,
        JobsDbContext db, JobLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var batch = await FindBatch(id, db, cancellationToken);
        if (batch is null)
        {
            return NoSuchBatch();
        }
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return InvalidQuery($"limit must lie between 1 and {MaxPageSize}.");
        }
        var afterId = Guid.Empty;
        if (after is not null && !Guid.TryParse(after, out afterId))
        {
            return InvalidQuery("after must be a job id, as the 'next' link gives it.");
        }
        var jobs = db.JobsOf(batch.Id).AsNoTracking();
        if (status is not null)
        {
            if (ParseStatus(status) is not { } wanted)
            {
                return InvalidQuery("status must be queued, running, succeeded or failed.");
            }
            jobs = jobs.Where(j => j.Status == wanted);
        }
        var page = await jobs.Where(j => j.Id.CompareTo(afterId) > 0).OrderBy(j => j.Id).Select(j => j.Id).Take(pageSize + 1)
            .ToListAsync(cancellationToken);
        var items = new List<JobView>();
        foreach (var jobId in page.Take(pageSize))
        {
            // As GET /jobs/{id} shows it (its recording, its newest result); a job deleted meanwhile is left out.
            if (await lifecycle.FindAsync(jobId, cancellationToken) is { } snapshot)
            {
                items.Add(JobViews.Describe(snapshot, withSegments: false));
            }
        }
        var next = page.Count > pageSize
            ? $"{BatchViews.SelfLink(batch.Id)}/jobs?limit={pageSize}&after={page[pageSize - 1]}{(status is null ? "" : $"&status={Uri.EscapeDataString(status)}")}"
            : null;
        return TypedResults.Ok(new BatchJobsPage(items, next));
    }

    private static async Task<Results<Ok<BatchView>, ProblemHttpResult>> CancelBatch(string id, JobsDbContext db, BatchLifecycle lifecycle,
        CancellationToken cancellationToken)
    {
        var batch = await FindBatch(id, db, cancellationToken);
        if (batch is null)
        {
            return NoSuchBatch();
        }
        if (!await lifecycle.CancelAsync(batch.Id, CancellationToken.None))
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.BatchNotRunning, "The batch has already completed or been cancelled.");
        }
        return TypedResults.Ok(await Describe(batch.Id, db, cancellationToken));
    }

    private static Task<BatchView> Describe(Batch batch, JobsDbContext db, CancellationToken cancellationToken) =>
        BatchViews.DescribeAsync(batch, db, cancellationToken);

    private static Task<BatchView> Describe(Guid batchId, JobsDbContext db, CancellationToken cancellationToken) =>
        BatchViews.DescribeAsync(batchId, db, cancellationToken);

    private static JobStatus? ParseStatus(string status) => status.Trim().ToLowerInvariant() switch
    {
        "queued" => JobStatus.Queued,
        "running" or "processing" => JobStatus.Processing,
        "succeeded" => JobStatus.Succeeded,
        "failed" => JobStatus.Failed,
        _ => null,
    };

    private static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task<BatchRequest> ReadJson(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<BatchRequest>(request.Body, JsonSerializerOptions.Web, cancellationToken)
                ?? throw InvalidRequest("The body is empty.");
        }
        catch (JsonException)
        {
            throw InvalidRequest("The body is not valid JSON of the form { \"folder\": … } or { \"reprocess\": { … } }.");
        }
    }

    /// <summary>Not a route constraint: a malformed id is just another unknown batch, with the same 404 and code.</summary>
    private static async Task<Batch?> FindBatch(string id, JobsDbContext db, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var batchId)
            ? await db.Batches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
            : null;

    private static ProblemHttpResult NoSuchBatch() =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.BatchNotFound, "There is no batch with this id.");

    private static ProblemHttpResult InvalidQuery(string detail) =>
        ApiProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBatchQuery, detail);

    internal static ApiProblemException InvalidRequest(string detail) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidBatchRequest, detail);
}

/// <summary>Documents the multipart form in the OpenAPI document; the body itself is streamed by <see cref="BatchSources"/>.</summary>
public sealed record ArchiveForm(IFormFile Archive);
