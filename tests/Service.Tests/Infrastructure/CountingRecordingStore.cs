using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Recordings;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// A folder store that counts how often recordings are opened and can fail every open, like a flaky disk, or take
/// <paramref name="openDelay"/> over each open without heeding cancellation, like a slow one (or a long analysis).
/// </summary>
public sealed class CountingRecordingStore(string folder, Exception? failEveryOpenWith = null, TimeSpan openDelay = default) : RecordingStore
{
    private readonly FolderRecordingStore _inner = new(folder);
    private int _opens;

    public int Opens => Volatile.Read(ref _opens);

    public override Task SaveAsync(Guid recordingId, Stream content, CancellationToken cancellationToken) =>
        _inner.SaveAsync(recordingId, content, cancellationToken);

    public override Task<bool> ExistsAsync(Guid recordingId, CancellationToken cancellationToken) => _inner.ExistsAsync(recordingId, cancellationToken);

    /// <summary>The store of the embedded Api being built: its data directory's recordings folder.</summary>
    public static CountingRecordingStore InDataDirectoryOf(IServiceProvider provider, Exception? failEveryOpenWith = null, TimeSpan openDelay = default) =>
        new(Path.Combine(provider.GetRequiredService<IConfiguration>()["Storage:DataDirectory"]!, "recordings"), failEveryOpenWith, openDelay);

    public override async Task<Stream> OpenAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        if (openDelay > TimeSpan.Zero)
        {
            await Task.Delay(openDelay, CancellationToken.None);
        }
        return failEveryOpenWith is null ? await _inner.OpenAsync(recordingId, cancellationToken) : throw failEveryOpenWith;
    }

    public override Task DeleteAsync(Guid recordingId, CancellationToken cancellationToken) => _inner.DeleteAsync(recordingId, cancellationToken);

    public override Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken) =>
        _inner.DeleteOrphansAsync(db, olderThan, cancellationToken);
}
