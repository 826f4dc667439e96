using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>Embedded mode: one file per recording in a local folder, named by the recording id.</summary>
public sealed class FolderRecordingStore(string folder) : RecordingStore
{
    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    public override async Task SaveAsync(Guid recordingId, Stream content, CancellationToken cancellationToken)
    {
        var finalPath = PathOf(recordingId);
        // Write under a temporary name and rename: a crash mid-copy never leaves a half recording under the real name.
        // Create and overwrite, not CreateNew: a save retried after a failed row insert writes the same recording again.
        var partialPath = finalPath + PartialSuffix;
        await using (var file = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await content.CopyToAsync(file, cancellationToken);
        }
        File.Move(partialPath, finalPath, overwrite: true);
    }

    public override Task DeleteAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(recordingId));
        File.Delete(PathOf(recordingId) + PartialSuffix);
        return Task.CompletedTask;
    }

    public override Task<bool> ExistsAsync(Guid recordingId, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(recordingId)));

    public override async Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(Folder))
        {
            if (File.GetLastWriteTimeUtc(path) >= olderThan || !TryRecordingIdOf(path, out var recordingId)
                || await db.Recordings.AnyAsync(r => r.Id == recordingId && r.AudioDeletedAt == null, cancellationToken))
            {
                continue;
            }
            File.Delete(path);
            deleted++;
        }
        return deleted;
    }

    private const string AudioSuffix = ".audio";
    private const string PartialSuffix = ".partial";

    private static bool TryRecordingIdOf(string path, out Guid recordingId)
    {
        var name = Path.GetFileName(path);
        var stem = name.EndsWith(PartialSuffix) ? name[..^PartialSuffix.Length] : name;
        recordingId = Guid.Empty;
        return stem.EndsWith(AudioSuffix) && Guid.TryParseExact(stem[..^AudioSuffix.Length], "N", out recordingId);
    }

    public override Task<Stream> OpenAsync(Guid recordingId, CancellationToken cancellationToken)
    {
        var path = PathOf(recordingId);
        if (!File.Exists(path))
        {
            throw new RecordingMissingException(recordingId);
        }
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return Task.FromResult(stream);
    }

    private string PathOf(Guid recordingId) => Path.Combine(Folder, $"{recordingId:N}{AudioSuffix}");
}
