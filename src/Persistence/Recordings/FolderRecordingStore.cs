namespace SpeechEmotion.Persistence.Recordings;

/// <summary>Embedded mode: one file per job in a local folder (the description is kept on the job row).</summary>
public sealed class FolderRecordingStore(string folder) : RecordingStore
{
    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    public override async Task SaveAsync(Guid jobId, Stream content, RecordingDescription description, CancellationToken cancellationToken)
    {
        var finalPath = PathOf(jobId);
        // Write under a temporary name and rename: a crash mid-copy never leaves a half recording under the real name.
        var partialPath = finalPath + ".partial";
        await using (var file = new FileStream(partialPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await content.CopyToAsync(file, cancellationToken);
        }
        File.Move(partialPath, finalPath, overwrite: false);
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

    private string PathOf(Guid jobId) => Path.Combine(Folder, $"{jobId:N}.audio");
}
