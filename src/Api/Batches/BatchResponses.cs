using SpeechEmotion.Processing.Jobs;
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

/// <summary>One page of a batch's jobs; <c>next</c> is the link to the following page, null on the last.</summary>
public sealed record BatchJobsPage(IReadOnlyList<JobView> Items, string? Next);
