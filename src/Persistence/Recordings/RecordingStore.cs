using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>
/// Where the audio of each recording lives, keyed by <see cref="Recording.Id"/>, readable by whichever process
/// analyses it: a local folder in embedded mode (<see cref="FolderRecordingStore"/>), a PostgreSQL table in
/// distributed mode (<see cref="DatabaseRecordingStore"/>). Audio is written once, never overwritten, and removed
/// when its job is deleted, when retention says so, or when it was rejected as invalid audio.
/// </summary>
public abstract class RecordingStore
{
    /// <summary>Stores <paramref name="content"/> (read from its current position to the end) for a new recording.</summary>
    public abstract Task SaveAsync(Guid recordingId, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a recording's audio; throws <see cref="RecordingMissingException"/> if there is none.</summary>
    public abstract Task<Stream> OpenAsync(Guid recordingId, CancellationToken cancellationToken);

    /// <summary>Whether the store holds audio for the recording.</summary>
    public abstract Task<bool> ExistsAsync(Guid recordingId, CancellationToken cancellationToken);

    /// <summary>Removes a recording's audio if there is any.</summary>
    public abstract Task DeleteAsync(Guid recordingId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes audio older than <paramref name="olderThan"/> that no recording row points at: left by an Api killed
    /// between storing the audio and writing the rows. Returns how many were removed.
    /// </summary>
    public abstract Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken);
}

/// <summary>The recording's audio is not stored (never was, or was deleted): retrying cannot help.</summary>
public sealed class RecordingMissingException(Guid recordingId)
    : Exception($"No audio is stored for recording {recordingId}.");
