using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Batches;

/// <summary>How a batch's intake ended: every member added, or cut short (the members added so far are the batch).</summary>
public enum IntakeEnd
{
    Complete,
    Interrupted,
}

/// <summary>
/// Every change of a batch's state: created (running, being filled), sealed, then ended once.
/// Sealed by its intake, however the intake ends (<see cref="IntakeEnd"/>), or, when the intake's process died, by the
/// recovery sweep once no member came for Processing:BatchIntakeAbandonedAfter (<see cref="SealAbandonedAsync"/>).
/// How a batch ends, once: completed when its last job finishes, or cancelled. Either way one conditional UPDATE
/// takes the batch out of <see cref="BatchStatus.Running"/>, and only the caller whose UPDATE changed the row
/// publishes <see cref="BatchCompleted"/>, so concurrent consumers, duplicate <see cref="JobFinished"/> events and a
/// cancel racing the last job publish it exactly once.
/// </summary>
public sealed class BatchLifecycle(
    JobsDbContext db,
    JobLifecycle jobs,
    IPublishEndpoint publisher,
    IOptions<ProcessingOptions> options,
    TimeProvider time,
    ILogger<BatchLifecycle> logger)
{
    private const int ChunkSize = 500;

    /// <summary>A new running batch, not yet sealed: members can be added to it.</summary>
    public async Task<Batch> CreateAsync(BatchKind kind, string source, CancellationToken cancellationToken)
    {
        var now = Now;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            Kind = kind,
            Status = BatchStatus.Running,
            CreatedAt = now,
            LastMemberAddedAt = now,
            Source = source,
        };
        db.Batches.Add(batch);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(batch).State = EntityState.Detached;
        return batch;
    }

    /// <summary>The running, sealed batches a job belongs to: those its end may complete.</summary>
    public Task<List<Guid>> OpenBatchesOfAsync(Guid jobId, CancellationToken cancellationToken) =>
        db.BatchMembers
            .Where(m => m.JobId == jobId)
            .Join(db.Batches, m => m.BatchId, b => b.Id, (_, b) => b)
            .Where(b => b.Status == BatchStatus.Running && b.Sealed)
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);

    /// <summary>A member (or a page of them) joined the batch: the sweep leaves an intake alone while members keep coming.</summary>
    public Task MemberAddedAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.Batches.Where(b => b.Id == batchId).ExecuteUpdateAsync(s => s.SetProperty(b => b.LastMemberAddedAt, now), cancellationToken);
    }

    /// <summary>
    /// No more members will come: from now on the batch may complete (and does at once when every job has already
    /// finished). An interrupted intake is said so in the batch. A batch the sweep sealed meanwhile stays as it sealed it.
    /// </summary>
    public async Task SealAsync(Guid batchId, IntakeEnd end, CancellationToken cancellationToken)
    {
        var interrupted = end == IntakeEnd.Interrupted;
        var sealedNow = await db.Batches.Where(b => b.Id == batchId && !b.Sealed)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Sealed, true).SetProperty(b => b.IntakeInterrupted, interrupted), cancellationToken);
        if (sealedNow == 0)
        {
            return;
        }
        if (interrupted)
        {
            logger.LogWarning("Batch {BatchId}: its intake ended early; sealed with the members added so far", batchId);
        }
        await AfterSealAsync(batchId, cancellationToken);
    }

    /// <summary>Unsealed batches whose last member came over Processing:BatchIntakeAbandonedAfter ago, quietest first.</summary>
    public Task<List<Guid>> FindAbandonedIntakesAsync(int limit, CancellationToken cancellationToken)
    {
        var cutoff = AbandonedCutoff;
        return db.Batches.AsNoTracking()
            .Where(b => !b.Sealed && b.LastMemberAddedAt < cutoff)
            .OrderBy(b => b.LastMemberAddedAt)
            .Select(b => b.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Seals a batch whose intake died with its process, marked interrupted; false when it was sealed meanwhile (by
    /// another sweeper: the conditional update lets one of them act) or got a member after all.
    /// </summary>
    public async Task<bool> SealAbandonedAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var cutoff = AbandonedCutoff;
        var sealedNow = await db.Batches.Where(b => b.Id == batchId && !b.Sealed && b.LastMemberAddedAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Sealed, true).SetProperty(b => b.IntakeInterrupted, true), cancellationToken);
        if (sealedNow == 0)
        {
            return false;
        }
        logger.LogWarning("Batch {BatchId}: no member added for {After}, its intake died with its process; sealed as interrupted",
            batchId, options.Value.BatchIntakeAbandonedAfter);
        await AfterSealAsync(batchId, cancellationToken);
        return true;
    }

    private async Task AfterSealAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId, cancellationToken);
        if (batch.Status == BatchStatus.Cancelled)
        {
            // Cancelled while members were still being added: those added after the cancel must not run either.
            await FailQueuedJobsAsync(batchId, cancellationToken);
            return;
        }
        await CompleteIfFinishedAsync(batchId, cancellationToken);
    }

    /// <summary>Completes the batch when it is sealed and none of its jobs is queued or processing; true when this call did.</summary>
    public async Task<bool> CompleteIfFinishedAsync(Guid batchId, CancellationToken cancellationToken)
    {
        if (await db.HasUnfinishedJobsAsync(batchId, cancellationToken))
        {
            return false;
        }
        var counts = await db.CountJobsAsync(batchId, cancellationToken);
        var now = Now;
        var completed = await db.Batches
            .Where(b => b.Id == batchId && b.Status == BatchStatus.Running && b.Sealed)
            .ExecuteUpdateAsync(s => SetCounts(s, counts)
                .SetProperty(b => b.Status, BatchStatus.Completed)
                .SetProperty(b => b.CompletedAt, now), cancellationToken);
        if (completed == 0)
        {
            return false;   // still being filled, or someone else completed or cancelled it first
        }
        logger.LogInformation("Batch {BatchId} completed: {Succeeded} succeeded, {Failed} failed of {Total}",
            batchId, counts.Succeeded, counts.Failed, counts.Total);
        await publisher.Publish(new BatchCompleted { BatchId = batchId, CompletedAt = now }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Cancels a running batch: its queued jobs fail with batch_cancelled (a job already processing finishes).
    /// False when the batch was not running (already completed or cancelled).
    /// </summary>
    public async Task<bool> CancelAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var now = Now;
        var cancelled = await db.Batches
            .Where(b => b.Id == batchId && b.Status == BatchStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BatchStatus.Cancelled).SetProperty(b => b.CompletedAt, now), cancellationToken);
        if (cancelled == 0)
        {
            return false;
        }
        var failed = await FailQueuedJobsAsync(batchId, cancellationToken);
        logger.LogInformation("Batch {BatchId} cancelled; {Count} queued jobs will not run", batchId, failed);
        await publisher.Publish(new BatchCompleted { BatchId = batchId, CompletedAt = now }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Fails the batch's queued jobs, a chunk at a time, each through the job lifecycle (which announces it). A worker
    /// that claims one at the same moment wins or loses by the same conditional update as ever: the job runs or it
    /// fails, never both.
    /// </summary>
    private async Task<int> FailQueuedJobsAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var failed = 0;
        var after = Guid.Empty;
        while (true)
        {
            var queued = await db.JobsOf(batchId).Where(j => j.Status == JobStatus.Queued && j.Id.CompareTo(after) > 0)
                .OrderBy(j => j.Id).Select(j => j.Id).Take(ChunkSize).ToListAsync(cancellationToken);
            if (queued.Count == 0)
            {
                return failed;
            }
            after = queued[^1];
            foreach (var jobId in queued)
            {
                if (await jobs.FailQueuedAsync(jobId, ErrorCodes.BatchCancelled, "The job's batch was cancelled before the job ran.", cancellationToken))
                {
                    failed++;
                }
            }
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private DateTime AbandonedCutoff => Now - options.Value.BatchIntakeAbandonedAfter;

    private static UpdateSettersBuilder<Batch> SetCounts(UpdateSettersBuilder<Batch> setters, BatchCounts counts) => setters
        .SetProperty(b => b.Total, counts.Total)
        .SetProperty(b => b.Queued, counts.Queued)
        .SetProperty(b => b.Running, counts.Running)
        .SetProperty(b => b.Succeeded, counts.Succeeded)
        .SetProperty(b => b.Failed, counts.Failed);
}
