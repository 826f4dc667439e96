using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// The ONNX emotion model: one <see cref="InferenceSession"/> per process (loading costs far more than a run), whose
/// Run is thread-safe, so every request shares it. The model is checked against <see cref="ModelContract"/> at
/// construction: a wrong model fails start-up instead of mislabelling recordings.
/// </summary>
public sealed class EmotionClassifier : IDisposable
{
    private static readonly string[] InputNames = [ModelContract.InputName];
    private static readonly string[] OutputNames = [ModelContract.OutputName];

    private readonly InferenceSession session;
    private readonly ClassPrior prior;

    private readonly SessionLifetime lifetime;

    public EmotionClassifier(IOptions<AnalysisOptions> options)
        : this(options.Value.ResolveModelPath(), options.Value.IntraOpThreads, options.Value.ClassPrior)
    {
    }

    /// <param name="classPrior">Deployment class prior by label (see <see cref="AnalysisOptions.ClassPrior"/>); null or empty: off.</param>
    public EmotionClassifier(string modelPath, int intraOpThreads = 1, IReadOnlyDictionary<string, double>? classPrior = null)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"The emotion model was not found at '{modelPath}' (Analysis:ModelPath).", modelPath);
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        session = new InferenceSession(modelPath, sessionOptions);
        lifetime = new SessionLifetime(this, session);
        try
        {
            ModelVersion = ModelContract.Check(
                session.ModelMetadata.CustomMetadataMap,
                session.InputMetadata.Select(input => TensorSignature.From(input.Key, input.Value)).ToList(),
                session.OutputMetadata.Select(output => TensorSignature.From(output.Key, output.Value)).ToList());
            prior = ClassPrior.From(
                classPrior ?? new Dictionary<string, double>(),
                session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(ClassPrior.TrainingPriorMetadataKey));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model's <c>model_version</c> metadata.</summary>
    public string ModelVersion { get; }

    /// <summary>Whether probabilities are re-weighted for a deployment class prior (Analysis:ClassPrior).</summary>
    public bool UsesClassPrior => !prior.IsOff;

    /// <summary>The deployment class prior every answer carries (<see cref="ClassPrior.Off"/> when none is configured).</summary>
    public ClassPrior Prior => prior;

    /// <summary>
    /// The seven probabilities, in <see cref="EmotionLabels.All"/>, for one 16 kHz mono waveform of at least
    /// 8000 samples, re-weighted by the class prior when one is configured. The tensor is built over the caller's
    /// memory: no copy of the waveform.
    /// </summary>
    public float[] Classify(ReadOnlyMemory<float> waveform)
    {
        if (waveform.Length < Preprocessing.ModelInput.MinSamples)
        {
            throw new ArgumentException(
                $"The model needs at least {Preprocessing.ModelInput.MinSamples} samples, got {waveform.Length}.", nameof(waveform));
        }

        return lifetime.Run(() =>
        {
            // ONNX Runtime only reads its inputs; the cast to writable memory is what its API asks for.
            var memory = System.Runtime.InteropServices.MemoryMarshal.AsMemory(waveform);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, memory, [1, waveform.Length]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, InputNames, [input], OutputNames);
            return prior.Apply(outputs[0].GetTensorDataAsSpan<float>().ToArray());
        });
    }

    /// <summary>
    /// The seven probabilities of each of <paramref name="count"/> waveforms of <paramref name="samples"/> samples
    /// each, laid end to end in <paramref name="waveforms"/>: one Run of the graph on a [count, samples] tensor, which
    /// costs far less per window than one Run each (the graph takes equal lengths per batch).
    /// </summary>
    public float[][] ClassifyBatch(ReadOnlyMemory<float> waveforms, int count, int samples)
    {
        if (samples < Preprocessing.ModelInput.MinSamples)
        {
            throw new ArgumentException(
                $"The model needs at least {Preprocessing.ModelInput.MinSamples} samples, got {samples}.", nameof(samples));
        }
        if (count < 1 || waveforms.Length < (long)count * samples)
        {
            throw new ArgumentException($"{count} waveforms of {samples} samples need {(long)count * samples} floats, got {waveforms.Length}.", nameof(waveforms));
        }

        return lifetime.Run(() =>
        {
            var memory = System.Runtime.InteropServices.MemoryMarshal.AsMemory(waveforms[..(count * samples)]);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, memory, [count, samples]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, InputNames, [input], OutputNames);
            var flat = outputs[0].GetTensorDataAsSpan<float>();
            var labels = flat.Length / count;
            var result = new float[count][];
            for (var i = 0; i < count; i++)
            {
                result[i] = prior.Apply(flat.Slice(i * labels, labels).ToArray());
            }
            return result;
        });
    }

    public void Dispose() => lifetime.Dispose();
}
