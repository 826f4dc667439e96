using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// Distributed mode: the bytes go into the <c>recordings</c> table so every worker can read them without a
/// shared disk. Uploads are capped (Uploads:MaxBytes), so holding one recording in memory here is bounded.
/// </summary>
public sealed class DatabaseRecordingStore(JobsDbContext db) : RecordingStore
{
    public override async Task SaveAsync(Guid jobId, Stream content, RecordingDescription description, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(capacity: (int)Math.Min(description.SizeBytes, int.MaxValue));
        await content.CopyToAsync(buffer, cancellationToken);
        db.Recordings.Add(new StoredRecording
        {
            JobId = jobId,
            Content = buffer.ToArray(),
            Sha256 = description.Sha256,
            SizeBytes = description.SizeBytes,
            FileName = description.FileName,
            ContentType = description.ContentType,
            CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public override async Task<Stream> OpenAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var content = await db.Recordings.AsNoTracking()
            .Where(r => r.JobId == jobId)
            .Select(r => r.Content)
            .SingleOrDefaultAsync(cancellationToken);
        return content is null ? throw new RecordingMissingException(jobId) : new MemoryStream(content, writable: false);
    }

    public override Task DeleteAsync(Guid jobId, CancellationToken cancellationToken) =>
        db.Recordings.Where(r => r.JobId == jobId).ExecuteDeleteAsync(cancellationToken);

    public override Task<int> DeleteOrphansAsync(JobsDbContext jobs, DateTime olderThan, CancellationToken cancellationToken) =>
        jobs.Recordings
            .Where(r => r.CreatedAt < olderThan && !jobs.Jobs.Any(j => j.Id == r.JobId))
            .ExecuteDeleteAsync(cancellationToken);
}
