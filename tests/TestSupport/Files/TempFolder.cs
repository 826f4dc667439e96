namespace SpeechEmotion.TestSupport.Files;

/// <summary>A scratch folder in the temp directory (generated corpora, upload spools), deleted with the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix) => Root = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Root { get; }

    /// <summary>Writes <paramref name="content"/> (empty by default: the readers only look at names) at a relative path.</summary>
    public string Write(string relativePath, byte[]? content = null)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content ?? []);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
