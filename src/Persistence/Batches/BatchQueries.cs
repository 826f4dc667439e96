using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;

namespace SpeechEmotion.Persistence.Batches;

/// <summary>The reads every batch question starts from: its jobs, counted from their own rows.</summary>
public static class BatchQueries
{
    public static IQueryable<Job> JobsOf(this JobsDbContext db, Guid batchId) =>
        db.BatchMembers.Where(m => m.BatchId == batchId).Join(db.Jobs, m => m.JobId, j => j.Id, (_, j) => j);

    /// <summary>
    /// Counts the batch's jobs by status, from the job rows themselves: a duplicate or late event can never make it
    /// count a job twice.
    /// </summary>
    public static async Task<BatchCounts> CountJobsAsync(this JobsDbContext db, Guid batchId, CancellationToken cancellationToken)
    {
        var byStatus = await db.JobsOf(batchId)
            .GroupBy(j => j.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        int Of(JobStatus status) => byStatus.GetValueOrDefault(status);
        return new BatchCounts(byStatus.Values.Sum(), Of(JobStatus.Queued), Of(JobStatus.Processing), Of(JobStatus.Succeeded), Of(JobStatus.Failed));
    }

    /// <summary>
    /// Whether any job of the batch is still queued or processing. Asked from the unfinished jobs' side, which the
    /// status index keeps short, so it stays cheap when a batch of 100,000 is almost done.
    /// </summary>
    public static Task<bool> HasUnfinishedJobsAsync(this JobsDbContext db, Guid batchId, CancellationToken cancellationToken) =>
        db.Jobs
            .Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Processing)
            .AnyAsync(j => db.BatchMembers.Any(m => m.BatchId == batchId && m.JobId == j.Id), cancellationToken);
}
