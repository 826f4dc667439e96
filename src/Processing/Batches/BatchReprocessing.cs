using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;

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
/// Sends existing recordings through the current model again: the selected finished jobs join a reprocessing batch
/// and go back to the queue through <see cref="JobLifecycle.RequeueForReprocessingAsync"/> (their messages then go to
/// the batch queue, since they belong to a running batch), a page at a time, so a selection of 100,000 jobs is never
/// loaded at once. A job's earlier results stay; the new run adds one.
/// </summary>
public sealed class BatchReprocessing(JobsDbContext db, JobLifecycle jobs, BatchLifecycle batches, ILogger<BatchReprocessing> logger)
{
    private const int PageSize = 500;

    /// <summary>Adds the selected jobs to the (unsealed) batch and re-queues them; returns how many.</summary>
    public async Task<int> AddAndRequeueAsync(Guid batchId, ReprocessSelection selection, CancellationToken cancellationToken)
    {
        var requeued = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = await Filter(selection).Where(j => j.Id.CompareTo(after) > 0).OrderBy(j => j.Id).Select(j => j.Id)
                .Take(PageSize).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                logger.LogInformation("Batch {BatchId}: {Count} jobs re-queued for reprocessing", batchId, requeued);
                return requeued;
            }
            after = page[^1];
            requeued += await RequeuePage(batchId, page, cancellationToken);
            await batches.MemberAddedAsync(batchId, cancellationToken);
        }
    }

    /// <summary>
    /// Members first, so that each message is routed to the batch queue; a job that could not be re-queued (it moved
    /// on meanwhile, or its audio is gone) leaves the batch again.
    /// </summary>
    private async Task<int> RequeuePage(Guid batchId, List<Guid> jobIds, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        db.BatchMembers.AddRange(jobIds.Select(jobId => new BatchMember { BatchId = batchId, JobId = jobId }));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        var notRequeued = new List<Guid>();
        foreach (var jobId in jobIds)
        {
            if (!await jobs.RequeueForReprocessingAsync(jobId, cancellationToken))
            {
                notRequeued.Add(jobId);
            }
        }
        if (notRequeued.Count > 0)
        {
            await db.BatchMembers.Where(m => m.BatchId == batchId && notRequeued.Contains(m.JobId)).ExecuteDeleteAsync(cancellationToken);
        }
        return jobIds.Count - notRequeued.Count;
    }

    /// <summary>Finished jobs that still have their audio and match every given criterion.</summary>
    private IQueryable<Job> Filter(ReprocessSelection selection)
    {
        var jobs = selection.BatchId is { } batchId ? db.JobsOf(batchId) : db.Jobs.AsQueryable();
        jobs = jobs.Where(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed)
            .Where(j => j.Recording!.AudioDeletedAt == null);
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
        if (selection.ModelVersionNot is { } version)
        {
            // Never analysed by that model: no result of the job came from it.
            jobs = jobs.Where(j => !db.JobResults.Any(r => r.JobId == j.Id && r.ModelVersion == version));
        }
        return jobs.AsNoTracking();
    }
}
