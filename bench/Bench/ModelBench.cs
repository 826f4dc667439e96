using System.Diagnostics;
using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Bench;

/// <summary>
/// ONNX Runtime alone: one InferenceSession with one intra-op thread (one core), a 3 s waveform, sequential runs.
/// This is the model's share of every request; the training issue's target is ≤ 5 ms per 3 s clip.
/// </summary>
public static class ModelBench
{
    /// <param name="models">Graphs to time (e.g. an ensemble exported by the trainer); null for the shipped CNN and
    /// baseline.</param>
    public static void Run(int runs, int warmup, IReadOnlyList<string>? models)
    {
        var waveform = SpeechLikeWaveform(seconds: 3);
        var paths = models ?? [
            Path.Combine(BenchPaths.RepositoryRoot, "models", "emotion-cnn.onnx"),
            Path.Combine(BenchPaths.RepositoryRoot, "models", "emotion-baseline.onnx")];
        foreach (var path in paths)
        {
            var name = Path.GetFileName(path);
            using var classifier = new EmotionClassifier(path, intraOpThreads: 1);
            for (var i = 0; i < warmup; i++)
            {
                classifier.Classify(waveform);
            }
            var milliseconds = new List<double>(runs);
            for (var i = 0; i < runs; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                classifier.Classify(waveform);
                milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
            milliseconds.Sort();
            Report.Table($"model: {name} ({classifier.ModelVersion}), ONNX Runtime, 1 intra-op thread, 3 s clip, {runs} runs after {warmup} warm-up; {Report.Machine}",
            [
                ("file size (MB)", $"{new FileInfo(path).Length / 1e6:F2}"),
                ("p50 (ms)", $"{Report.Percentile(milliseconds, 50):F2}"),
                ("p95 (ms)", $"{Report.Percentile(milliseconds, 95):F2}"),
                ("mean (ms)", $"{milliseconds.Average():F2}"),
                ("min (ms)", $"{milliseconds[0]:F2}"),
            ]);
        }
    }

    /// <summary>Harmonics with a syllable envelope: what the model sees after trimming, without a file.</summary>
    private static float[] SpeechLikeWaveform(double seconds)
    {
        var samples = new float[(int)(seconds * 16000)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / 16000.0;
            var envelope = Math.Max(0, Math.Sin(2 * Math.PI * 2.5 * t));
            var voice = Math.Sin(2 * Math.PI * 150 * t) + 0.5 * Math.Sin(2 * Math.PI * 300 * t) + 0.2 * Math.Sin(2 * Math.PI * 900 * t);
            samples[i] = (float)(0.2 * envelope * voice);
        }
        return samples;
    }
}
