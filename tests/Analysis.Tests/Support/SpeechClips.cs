namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>
/// Real and generated speech for the voice activity tests. The generated clips (espeak-ng, committed under
/// Speech/Audio) are always there; recordings from ../shared (beside the repository) are used when present.
/// </summary>
internal static class SpeechClips
{
    /// <summary>"Thank you for calling customer service how can I help you today", cut to its speech.</summary>
    public static float[] Agent => GeneratedCall.CutToSpeech(TestTranscoder.DecodeFile(Asset("espeak-agent.flac")));

    /// <summary>"I would like to know why my bill is so high this month", cut to its speech.</summary>
    public static float[] Customer => GeneratedCall.CutToSpeech(TestTranscoder.DecodeFile(Asset("espeak-customer.flac")));

    /// <summary>A file under ../shared (e.g. "datasets/savee/ALL/KL_sa01.flac"), or null where it is not.</summary>
    public static string? Shared(string relativePath)
    {
        var path = Path.Combine(RepositoryRoot(), "..", "shared", relativePath);
        return File.Exists(path) ? Path.GetFullPath(path) : null;
    }

    private static string Asset(string fileName) => Path.Combine(AppContext.BaseDirectory, "Speech", "Audio", fileName);

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
