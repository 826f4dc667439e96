using System.Text.Json;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Batches;

namespace SpeechEmotion.Api.Batches;

/// <summary>A <c>reprocess</c> object checked and turned into a <see cref="ReprocessSelection"/>; 400 invalid_batch_request otherwise.</summary>
public static class ReprocessRules
{
    /// <summary>As long as a stored result's model version may be.</summary>
    private const int MaxModelVersionLength = 128;

    /// <summary>The batch's <c>source</c>: the selection as JSON, with the number of job ids instead of the ids (up to 10,000).</summary>
    public static string Describe(ReprocessSelection selection) => JsonSerializer.Serialize(new
    {
        selection.BatchId,
        JobIds = selection.JobIds?.Count,
        Status = selection.Status?.ToString().ToLowerInvariant(),
        selection.CreatedAfter,
        selection.CreatedBefore,
        selection.ModelVersionNot,
    }, JsonSerializerOptions.Web);

    public static ReprocessSelection Selection(ReprocessRequest request, BatchOptions options)
    {
        if (request is { BatchId: null, JobIds: null, Status: null, CreatedAfter: null, CreatedBefore: null, ModelVersionNot: null })
        {
            throw BatchEndpoints.InvalidRequest("reprocess needs at least one of batchId, jobIds, status, createdAfter, createdBefore, modelVersionNot.");
        }
        if (request.JobIds is { } jobIds && (jobIds.Count == 0 || jobIds.Count > options.MaxJobIds))
        {
            throw BatchEndpoints.InvalidRequest($"reprocess.jobIds lists 1 to {options.MaxJobIds} job ids.");
        }
        if (request.ModelVersionNot is { } version && (string.IsNullOrWhiteSpace(version) || version.Length > MaxModelVersionLength))
        {
            throw BatchEndpoints.InvalidRequest($"reprocess.modelVersionNot must name a model version (at most {MaxModelVersionLength} characters).");
        }
        var status = request.Status?.Trim().ToLowerInvariant() switch
        {
            null => (JobStatus?)null,
            "succeeded" => JobStatus.Succeeded,
            "failed" => JobStatus.Failed,
            _ => throw BatchEndpoints.InvalidRequest("reprocess.status must be succeeded or failed: only finished jobs are analysed again."),
        };
        return new ReprocessSelection(request.BatchId, request.JobIds?.Distinct().ToList(), status,
            Utc(request.CreatedAfter), Utc(request.CreatedBefore), request.ModelVersionNot?.Trim());
    }

    /// <summary>Job times are stored in UTC; a time given with an offset is converted, one without is taken as UTC.</summary>
    private static DateTime? Utc(DateTime? time) => time switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { } other => DateTime.SpecifyKind(other, DateTimeKind.Utc),
    };
}
