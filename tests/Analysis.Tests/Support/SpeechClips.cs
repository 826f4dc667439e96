using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>
/// Real and generated speech for the voice activity tests. The generated sentences (<see cref="SyntheticSpeech"/>,
/// made in code) are always there; recordings from ../shared (beside the repository) are used when present.
/// </summary>
internal static class SpeechClips
{
    /// <summary>The synthetic agent's sentence (<see cref="SyntheticSpeech.Agent"/>), cut to its speech.</summary>
    public static float[] Agent => GeneratedCall.CutToSpeech(SyntheticSpeech.Agent);

    /// <summary>The synthetic customer's sentence (<see cref="SyntheticSpeech.Customer"/>), cut to its speech.</summary>
    public static float[] Customer => GeneratedCall.CutToSpeech(SyntheticSpeech.Customer);

    /// <summary>A file under ../shared (e.g. "datasets/savee/ALL/KL_sa01.flac"), or null where it is not.</summary>
    public static string? Shared(string relativePath)
    {
        var path = Path.Combine(RepositoryRoot(), "..", "shared", relativePath);
        return File.Exists(path) ? Path.GetFullPath(path) : null;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SpeechEmotion.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? AppContext.BaseDirectory;
    }
}
