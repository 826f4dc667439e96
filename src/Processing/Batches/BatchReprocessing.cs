using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;

namespace SpeechEmotion.Processing.Batches;

/// <summary>
/// Which existing jobs a reprocessing batch runs again; every given criterion must hold. Only finished jobs
/// (succeeded or failed) are taken: a job still queued or processing is already on its way.
/// </summary>
public sealed record ReprocessSelection(
    Guid? BatchId = null,
    IReadOnlyList<Guid>? JobIds = null,
    JobStatus? Status = null,
    DateTime? CreatedAfter = null,
    DateTime? CreatedBefore = null,
    string? ModelVersionNot = null);

/// <summary>
/// Sends existing recordings through the current model again: the selected finished jobs join a reprocessing batch,
/// go back to queued and their messages go to the batch queue, a page at a time, so a selection of 100,000 jobs is
/// never loaded at once.
/// </summary>
public sealed class BatchReprocessing(JobsDbContext db, AnalysisQueues queues, TimeProvider time, ILogger<BatchReprocessing> logger)
{
    private const int PageSize = 500;

    /// <summary>Adds the selected jobs to the (unsealed) batch and re-queues them; returns how many.</summary>
    public async Task<int> AddAndRequeueAsync(Guid batchId, ReprocessSelection selection, CancellationToken cancellationToken)
    {
        var requeued = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = await NextPage(selection, after, cancellationToken);
            if (page.Candidates.Count == 0)
            {
                logger.LogInformation("Batch {BatchId}: {Count} jobs re-queued for reprocessing", batchId, requeued);
                return requeued;
            }
            after = page.Candidates[^1];
            if (page.Selected.Count == 0)
            {
                continue;
            }
            await RequeueFinishedJobsAsync(batchId, page.Selected, cancellationToken);
            await queues.SendToBatchQueueAsync(page.Selected, cancellationToken);
            requeued += page.Selected.Count;
        }
    }

    private sealed record Page(List<Guid> Candidates, List<Guid> Selected);

    /// <summary>The next page of finished jobs past <paramref name="after"/> (job ids are time-ordered UUIDv7s) that the selection takes.</summary>
    private async Task<Page> NextPage(ReprocessSelection selection, Guid after, CancellationToken cancellationToken)
    {
        var page = Filter(selection).Where(j => j.Id.CompareTo(after) > 0).OrderBy(j => j.Id).Take(PageSize);
        if (selection.ModelVersionNot is not { } currentVersion)
        {
            var ids = await page.Select(j => j.Id).ToListAsync(cancellationToken);
            return new Page(ids, ids);
        }
        // The model version lives inside the result's JSON, which neither provider can query in the same way:
        // read the page's results and compare here.
        var rows = await page.Select(j => new { j.Id, j.Result }).ToListAsync(cancellationToken);
        return new Page(rows.Select(r => r.Id).ToList(),
            rows.Where(r => r.Result?.ModelVersion != currentVersion).Select(r => r.Id).ToList());
    }

    private IQueryable<Job> Filter(ReprocessSelection selection)
    {
        var jobs = selection.BatchId is { } batchId ? db.JobsOf(batchId) : db.Jobs.AsQueryable();
        jobs = jobs.Where(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed);
        if (selection.JobIds is { } jobIds)
        {
            jobs = jobs.Where(j => jobIds.Contains(j.Id));
        }
        if (selection.Status is { } status)
        {
            jobs = jobs.Where(j => j.Status == status);
        }
        if (selection.CreatedAfter is { } createdAfter)
        {
            jobs = jobs.Where(j => j.CreatedAt > createdAfter);
        }
        if (selection.CreatedBefore is { } createdBefore)
        {
            jobs = jobs.Where(j => j.CreatedAt < createdBefore);
        }
        return jobs.AsNoTracking();
    }

    /// <summary>
    /// The one place a finished job goes back to the queue (its recording is analysed again, from a fresh count of
    /// attempts), together with its membership of the batch that asked, in one transaction.
    /// </summary>
    private Task RequeueFinishedJobsAsync(Guid batchId, List<Guid> jobIds, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            db.BatchMembers.AddRange(jobIds.Select(jobId => new BatchMember { BatchId = batchId, JobId = jobId }));
            await db.SaveChangesAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;
            await db.Jobs
                .Where(j => jobIds.Contains(j.Id) && (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Queued)
                    .SetProperty(j => j.Attempts, 0)
                    .SetProperty(j => j.ClaimToken, (Guid?)null)
                    .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                    .SetProperty(j => j.WorkerName, (string?)null)
                    .SetProperty(j => j.StartedAt, (DateTime?)null)
                    .SetProperty(j => j.CompletedAt, (DateTime?)null)
                    .SetProperty(j => j.ErrorCode, (string?)null)
                    .SetProperty(j => j.ErrorMessage, (string?)null)
                    .SetProperty(j => j.LastPublishedAt, now), ct);
        }, ct => db.BatchMembers.AnyAsync(m => m.BatchId == batchId && m.JobId == jobIds[0], ct), cancellationToken);
}
