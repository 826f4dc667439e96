using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>A folder store that counts how often recordings are opened and can fail every open, like a flaky disk.</summary>
public sealed class CountingRecordingStore(string folder, Exception? failEveryOpenWith = null) : RecordingStore
{
    private readonly FolderRecordingStore _inner = new(folder);
    private int _opens;

    public int Opens => Volatile.Read(ref _opens);

    public override Task SaveAsync(Guid jobId, Stream content, RecordingDescription description, CancellationToken cancellationToken) =>
        _inner.SaveAsync(jobId, content, description, cancellationToken);

    public override Task<Stream> OpenAsync(Guid jobId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        return failEveryOpenWith is null ? _inner.OpenAsync(jobId, cancellationToken) : throw failEveryOpenWith;
    }

    public override Task DeleteAsync(Guid jobId, CancellationToken cancellationToken) => _inner.DeleteAsync(jobId, cancellationToken);

    public override Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken) =>
        _inner.DeleteOrphansAsync(db, olderThan, cancellationToken);
}
