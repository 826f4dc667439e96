namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>
/// Speech for generated calls: RAVDESS sentences of the model's test actors from ../shared/datasets when present,
/// else the synthetic sentences made in code (so no test depends on ../shared alone). Each cut to its speech.
/// </summary>
internal static class SpeechSource
{
    private static readonly string[] RavdessClips =
    [
        "datasets/ravdess/Actor_01/03-01-01-01-01-01-01.flac",
        "datasets/ravdess/Actor_03/03-01-01-01-02-01-03.flac",
        "datasets/ravdess/Actor_14/03-01-04-02-01-02-14.flac",
        "datasets/ravdess/Actor_20/03-01-03-01-02-02-20.flac",
    ];

    public static IReadOnlyList<float[]> Clips(int count)
    {
        var real = RavdessClips.Select(SpeechClips.Shared).OfType<string>()
            .Select(path => GeneratedCall.CutToSpeech(TestTranscoder.DecodeFile(path))).ToList();
        var pool = real.Count == RavdessClips.Length ? real : [SpeechClips.Agent, SpeechClips.Customer];
        return Enumerable.Range(0, count).Select(i => pool[i % pool.Count]).ToList();
    }
}
