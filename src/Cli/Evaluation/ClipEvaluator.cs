using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Cli.Audio;
using SpeechEmotion.Cli.Corpora;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Cli.Evaluation;

/// <summary>What the service said about one version of a clip: an emotion, or the code it rejected it with.</summary>
public sealed record Prediction(string? Emotion, string? RejectionCode)
{
    public static Prediction Rejected(string code) => new(null, code);
}

/// <summary>Every variation's prediction for one clip, and the clean clip's probabilities.</summary>
public sealed record ClipResult(
    LabelledClip Clip,
    IReadOnlyDictionary<string, Prediction> Predictions,
    IReadOnlyDictionary<string, float>? Probabilities);

/// <summary>
/// Runs one labelled clip through the service's analysis path (<see cref="CallAnalyzer"/>, channels mixed) as the
/// service would receive it, and with
/// <c>perturb</c> also its robustness variations (<see cref="Variations"/>). The variations are built from the clip as
/// the service decodes it; everything random is seeded from the file name, so every run, and every model compared,
/// sees the same perturbed audio.
/// </summary>
public sealed class ClipEvaluator(CallAnalyzer analyzer, AudioDecoder decoder, EmotionClassifier classifier)
{
    private const uint BaseSeed = 20261130;

    /// <summary>All clips, as many at once as there are cores (decoding spawns ffmpeg; the model runs on one thread
    /// per call). Results are in the order of <paramref name="clips"/>.</summary>
    public async Task<IReadOnlyList<ClipResult>> EvaluateAllAsync(
        IReadOnlyList<LabelledClip> clips, bool perturb, Action? clipDone, CancellationToken cancellationToken)
    {
        var results = new ClipResult[clips.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, clips.Count), options, async (index, token) =>
        {
            results[index] = await EvaluateAsync(clips[index], perturb, token);
            clipDone?.Invoke();
        });
        return results;
    }

    public async Task<ClipResult> EvaluateAsync(LabelledClip clip, bool perturb, CancellationToken cancellationToken)
    {
        var file = await File.ReadAllBytesAsync(clip.Path, cancellationToken);
        var fileName = Path.GetFileName(clip.Path);
        var (clean, probabilities) = await AnalyzeAsync(file, fileName, cancellationToken);
        var predictions = new Dictionary<string, Prediction> { [Variations.Clean] = clean };
        if (perturb)
        {
            await AddVariationsAsync(predictions, file, fileName, cancellationToken);
        }

        return new ClipResult(clip, predictions, probabilities);
    }

    private async Task AddVariationsAsync(
        Dictionary<string, Prediction> predictions, byte[] file, string fileName, CancellationToken cancellationToken)
    {
        float[] samples;
        try
        {
            samples = (await decoder.DecodeAsync(new MemoryStream(file), fileName, cancellationToken)).Samples;
        }
        catch (AudioRejectedException rejection)
        {
            foreach (var variation in Variations.Perturbed)
            {
                predictions[variation] = Prediction.Rejected(rejection.Code);
            }

            return;
        }

        var random = new Random(SeedOf(fileName));
        var padding = RoomNoise.DrawPadding(random);
        var noiseSeed = random.Next();
        foreach (var level in Variations.NoiseLevelsDbfs)
        {
            var padded = WavFile.Float32(RoomNoise.PadWithNoise(samples, padding, level, noiseSeed));
            predictions[Variations.RoomNoise(level)] = (await AnalyzeAsync(padded, "room.wav", cancellationToken)).Prediction;
        }

        var telephone = TelephoneChannel.ToMuLawWav(samples);
        predictions[Variations.Telephone] = (await AnalyzeAsync(telephone, "telephone.wav", cancellationToken)).Prediction;
        predictions[Variations.Untrimmed] = Untrimmed(classifier.Classify(samples));
    }

    private async Task<(Prediction Prediction, IReadOnlyDictionary<string, float>? Probabilities)> AnalyzeAsync(
        byte[] file, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            var analysis = await analyzer.AnalyzeAsync(new MemoryStream(file), fileName, AnalysisRequest.Default, cancellationToken);
            return (new Prediction(analysis.Emotion, null), analysis.Probabilities);
        }
        catch (AudioRejectedException rejection)
        {
            return (Prediction.Rejected(rejection.Code), null);
        }
    }

    private static Prediction Untrimmed(float[] probabilities) =>
        new(EmotionLabels.MostProbable(probabilities), null);

    /// <summary>FNV-1a of the file name: stable across machines, folders and runs (string.GetHashCode is not).</summary>
    internal static int SeedOf(string fileName)
    {
        var hash = 2166136261u ^ BaseSeed;
        foreach (var character in fileName)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return (int)(hash & int.MaxValue);
    }
}
