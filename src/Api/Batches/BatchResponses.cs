using SpeechEmotion.Api.Jobs;
using SpeechEmotion.Persistence.Batches;

namespace SpeechEmotion.Api.Batches;

// The JSON shapes of /batches.

/// <summary>The body of a JSON POST /batches: exactly one of <c>folder</c> and <c>reprocess</c>.</summary>
public sealed record BatchRequest(string? Folder, ReprocessRequest? Reprocess);

/// <summary>Which existing jobs to analyse again; every given criterion must hold, at least one must be given.</summary>
/// <param name="Status"><c>succeeded</c> or <c>failed</c> (only finished jobs are re-run).</param>
/// <param name="ModelVersionNot">Jobs whose latest result came from another model version than this one (or that have none).</param>
public sealed record ReprocessRequest(
    Guid? BatchId,
    List<Guid>? JobIds,
    string? Status,
    DateTime? CreatedAfter,
    DateTime? CreatedBefore,
    string? ModelVersionNot);

public sealed record BatchCountsView(int Total, int Queued, int Running, int Succeeded, int Failed);

public sealed record BatchLinks(string Self, string Jobs);

public sealed record BatchView(
    Guid Id,
    string Kind,
    string Status,
    BatchCountsView Counts,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    BatchLinks Links);

/// <summary>One page of a batch's jobs; <c>next</c> is the link to the following page, null on the last.</summary>
public sealed record BatchJobsPage(IReadOnlyList<JobView> Items, string? Next);

public static class BatchViews
{
    public static string SelfLink(Guid batchId) => $"/batches/{batchId}";

    public static BatchView Describe(Batch batch, BatchCounts counts) => new(
        batch.Id,
        batch.Kind.ToString().ToLowerInvariant(),
        batch.Status.ToString().ToLowerInvariant(),
        new BatchCountsView(counts.Total, counts.Queued, counts.Running, counts.Succeeded, counts.Failed),
        batch.CreatedAt,
        batch.CompletedAt,
        new BatchLinks(SelfLink(batch.Id), $"{SelfLink(batch.Id)}/jobs"));
}
