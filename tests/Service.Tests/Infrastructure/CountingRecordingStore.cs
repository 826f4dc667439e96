using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>A folder store that counts how often recordings are opened and can fail every open, like a flaky disk.</summary>
public sealed class CountingRecordingStore(string folder, Exception? failEveryOpenWith = null) : RecordingStore
{
    private readonly FolderRecordingStore _inner = new(folder);
    private int _opens;

    public int Opens => Volatile.Read(ref _opens);

    public override Task SaveAsync(Guid recordingId, Stream content, CancellationToken cancellationToken) =>
        _inner.SaveAsync(recordingId, content, cancellationToken);

    public override Task<bool> ExistsAsync(Guid recordingId, CancellationToken cancellationToken) => _inner.ExistsAsync(recordingId, cancellationToken);

    public override Task<Stream> OpenAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        return failEveryOpenWith is null ? _inner.OpenAsync(recordingId, cancellationToken) : throw failEveryOpenWith;
    }

    public override Task DeleteAsync(Guid recordingId, CancellationToken cancellationToken) => _inner.DeleteAsync(recordingId, cancellationToken);

    public override Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken) =>
        _inner.DeleteOrphansAsync(db, olderThan, cancellationToken);
}
