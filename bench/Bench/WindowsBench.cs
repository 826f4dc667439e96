using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Bench;

/// <summary>
/// `Bench windows`: why calls are classified in 4 s windows. For each of the model's held-out test actors in RAVDESS
/// (01, 03, 14, 20; ../shared/datasets) and each emotion, the actor's clips of that emotion are cut to their speech and
/// laid end to end into one stream; windows of each length (hop half a window) are cut from it and classified in
/// batches, and a window is right when its most probable label is the stream's emotion. Calm is left out (not a label).
/// </summary>
internal static class WindowsBench
{
    private static readonly string[] Actors = ["01", "03", "14", "20"];

    // RAVDESS emotion code → label (02 calm has no label).
    private static readonly Dictionary<string, string> Emotions = new()
    {
        ["01"] = EmotionLabels.Neutral, ["03"] = EmotionLabels.Happy, ["04"] = EmotionLabels.Sad, ["05"] = EmotionLabels.Angry,
        ["06"] = EmotionLabels.Fearful, ["07"] = EmotionLabels.Disgust, ["08"] = EmotionLabels.Surprised,
    };

    public static void Run(double[] lengths)
    {
        var root = Path.GetFullPath(Path.Combine(BenchPaths.RepositoryRoot, "..", "shared", "datasets", "ravdess"));
        if (!Directory.Exists(root))
        {
            Console.Error.WriteLine($"RAVDESS not found at {root}");
            return;
        }
        using var classifier = new EmotionClassifier(BenchPaths.ModelPath);
        var streams = Streams(root);
        Console.WriteLine($"{streams.Count} streams (actor × emotion), {streams.Sum(s => s.Samples.Length) / 16000.0:0} s of speech");
        Console.WriteLine("| window (s) | windows | accuracy |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var seconds in lengths)
        {
            var (right, total) = Score(classifier, streams, (int)(seconds * 16000));
            Console.WriteLine($"| {seconds:0.#} | {total} | {right / (double)total:P1} |");
        }
    }

    private static List<(string Label, float[] Samples)> Streams(string root)
    {
        var streams = new List<(string, float[])>();
        foreach (var actor in Actors)
        {
            foreach (var (code, label) in Emotions)
            {
                var clips = Directory.GetFiles(Path.Combine(root, $"Actor_{actor}"), $"03-01-{code}-*-{actor}.*").Order()
                    .Select(path => GeneratedCall.CutToSpeech(TestTranscoder.DecodeFile(path)));
                streams.Add((label, clips.SelectMany(clip => clip).ToArray()));
            }
        }
        return streams;
    }

    private static (int Right, int Total) Score(EmotionClassifier classifier, List<(string Label, float[] Samples)> streams, int window)
    {
        int right = 0, total = 0;
        foreach (var (label, samples) in streams)
        {
            var windows = AnalysisWindow.Plan(0, samples.Length, window, window / 2);
            foreach (var batch in windows.Chunk(16))
            {
                var lengthGroups = batch.GroupBy(w => w.Length);
                foreach (var group in lengthGroups)
                {
                    var members = group.ToList();
                    var input = new float[members.Count * group.Key];
                    for (var i = 0; i < members.Count; i++)
                    {
                        samples.AsSpan((int)members[i].Start, group.Key).CopyTo(input.AsSpan(i * group.Key));
                    }
                    foreach (var probabilities in classifier.ClassifyBatch(input, members.Count, group.Key))
                    {
                        right += EmotionLabels.All[Array.IndexOf(probabilities, probabilities.Max())] == label ? 1 : 0;
                        total++;
                    }
                }
            }
        }
        return (right, total);
    }
}
