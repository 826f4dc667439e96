using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Processing.Batches;

// The JSON of a batch: one home for GET /batches/{id} and the data of a batch.completed webhook.

public sealed record BatchCountsView(int Total, int Queued, int Running, int Succeeded, int Failed);

public sealed record BatchLinks(string Self, string Jobs);

/// <param name="Intake">
/// How the adding of members went: <c>receiving</c> while members are still being added (the batch cannot complete
/// yet), <c>complete</c> once all were added, <c>interrupted</c> when the intake ended early (the client went away
/// mid-archive, the archive turned unreadable, a database failure, or the Api died and the recovery sweep sealed the
/// batch). An interrupted batch completes with the members it got.
/// </param>
public sealed record BatchView(
    Guid Id,
    string Kind,
    string Status,
    string Intake,
    BatchCountsView Counts,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    BatchLinks Links);

public static class BatchViews
{
    /// <summary>A completed batch shows the counts it completed with (its jobs may be reprocessed later); any other is counted now.</summary>
    public static async Task<BatchView> DescribeAsync(Batch batch, JobsDbContext db, CancellationToken cancellationToken) =>
        Describe(batch, batch.Status == BatchStatus.Completed
            ? BatchCounts.Of(batch)
            : await db.CountJobsAsync(batch.Id, cancellationToken));

    public static async Task<BatchView> DescribeAsync(Guid batchId, JobsDbContext db, CancellationToken cancellationToken) =>
        await DescribeAsync(await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId, cancellationToken), db, cancellationToken);

    public static string SelfLink(Guid batchId) => $"/batches/{batchId}";

    public static BatchView Describe(Batch batch, BatchCounts counts) => new(
        batch.Id,
        batch.Kind.ToString().ToLowerInvariant(),
        batch.Status.ToString().ToLowerInvariant(),
        IntakeOf(batch),
        new BatchCountsView(counts.Total, counts.Queued, counts.Running, counts.Succeeded, counts.Failed),
        batch.CreatedAt,
        batch.CompletedAt,
        new BatchLinks(SelfLink(batch.Id), $"{SelfLink(batch.Id)}/jobs"));

    private static string IntakeOf(Batch batch) =>
        !batch.Sealed ? "receiving"
        : batch.IntakeInterrupted ? "interrupted"
        : "complete";
}
