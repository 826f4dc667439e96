using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>What the Api learnt about an upload while streaming it to disk.</summary>
public sealed record RecordingDescription(string FileName, string ContentType, long SizeBytes, string Sha256);

/// <summary>
/// Where the audio of each job lives, readable by whichever process analyses it:
/// a local folder in embedded mode (<see cref="FolderRecordingStore"/>), a PostgreSQL table in distributed mode
/// (<see cref="DatabaseRecordingStore"/>). Recordings are written once and never overwritten.
/// </summary>
public abstract class RecordingStore
{
    /// <summary>Stores <paramref name="content"/> (read from its current position to the end) for a new job.</summary>
    public abstract Task SaveAsync(Guid jobId, Stream content, RecordingDescription description, CancellationToken cancellationToken);

    /// <summary>Opens the recording of a job; throws <see cref="RecordingMissingException"/> if there is none.</summary>
    public abstract Task<Stream> OpenAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>Removes the recording of a job if there is one (undoing a save whose job row was never written).</summary>
    public abstract Task DeleteAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes recordings older than <paramref name="olderThan"/> that no job row points at: left by an Api killed
    /// between storing the audio and writing the job. Returns how many were removed.
    /// </summary>
    public abstract Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken);
}

/// <summary>The job exists but its audio does not: retrying cannot help.</summary>
public sealed class RecordingMissingException(Guid jobId)
    : Exception($"No recording is stored for job {jobId}.");
