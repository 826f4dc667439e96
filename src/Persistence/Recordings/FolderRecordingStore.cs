using Microsoft.EntityFrameworkCore;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Recordings;

/// <summary>Embedded mode: one file per job in a local folder (the description is kept on the job row).</summary>
public sealed class FolderRecordingStore(string folder) : RecordingStore
{
    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    public override async Task SaveAsync(Guid jobId, Stream content, RecordingDescription description, CancellationToken cancellationToken)
    {
        var finalPath = PathOf(jobId);
        // Write under a temporary name and rename: a crash mid-copy never leaves a half recording under the real name.
        // Create and overwrite, not CreateNew: a save retried after a failed job insert writes the same job again.
        var partialPath = finalPath + PartialSuffix;
        await using (var file = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await content.CopyToAsync(file, cancellationToken);
        }
        File.Move(partialPath, finalPath, overwrite: true);
    }

    public override Task DeleteAsync(Guid jobId, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(jobId));
        File.Delete(PathOf(jobId) + PartialSuffix);
        return Task.CompletedTask;
    }

    public override async Task<int> DeleteOrphansAsync(JobsDbContext db, DateTime olderThan, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(Folder))
        {
            if (File.GetLastWriteTimeUtc(path) >= olderThan || !TryJobIdOf(path, out var jobId)
                || await db.Jobs.AnyAsync(j => j.Id == jobId, cancellationToken))
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

    private static bool TryJobIdOf(string path, out Guid jobId)
    {
        var name = Path.GetFileName(path);
        var stem = name.EndsWith(PartialSuffix) ? name[..^PartialSuffix.Length] : name;
        jobId = Guid.Empty;
        return stem.EndsWith(AudioSuffix) && Guid.TryParseExact(stem[..^AudioSuffix.Length], "N", out jobId);
    }

    public override Task<Stream> OpenAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var path = PathOf(jobId);
        if (!File.Exists(path))
        {
            throw new RecordingMissingException(jobId);
        }
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return Task.FromResult(stream);
    }

    private string PathOf(Guid jobId) => Path.Combine(Folder, $"{jobId:N}{AudioSuffix}");
}
