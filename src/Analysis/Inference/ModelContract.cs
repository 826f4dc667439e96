using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis.Inference;

/// <summary>One input or output of the graph: its name, element type and dimensions (-1 for a dynamic axis).</summary>
public sealed record TensorSignature(string Name, TensorElementType ElementType, IReadOnlyList<int> Dimensions)
{
    internal static TensorSignature From(string name, NodeMetadata node) =>
        new(name, node.IsTensor ? node.ElementDataType : TensorElementType.DataTypeMax, node.Dimensions);

    public override string ToString() => $"{Name} {ElementType} [{string.Join(", ", Dimensions)}]";
}

/// <summary>
/// The model contract of docs/design.md, checked when the model loads: a model that breaks it must stop start-up,
/// not produce wrong emotions later.
/// </summary>
public static class ModelContract
{
    public const string InputName = "waveform";
    public const string OutputName = "probabilities";
    public const string SampleRate = "16000";
    public const string LabelsKey = "labels";
    public const string SampleRateKey = "sample_rate";
    public const string VersionKey = "model_version";

    /// <summary>
    /// The exact <c>labels</c> metadata a model must carry: the contract's label order. A reordered output would
    /// silently swap emotions, so anything else is refused.
    /// </summary>
    public static string LabelsMetadataValue { get; } = string.Join(',', EmotionLabels.All);

    /// <summary>Every broken rule, in one message; the model version when the model is fine.</summary>
    /// <exception cref="ModelContractException">The model breaks the contract.</exception>
    public static string Check(
        IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<TensorSignature> inputs,
        IReadOnlyList<TensorSignature> outputs)
    {
        var problems = new List<string>();
        if (metadata.GetValueOrDefault(LabelsKey) != LabelsMetadataValue)
        {
            problems.Add($"metadata '{LabelsKey}' is '{metadata.GetValueOrDefault(LabelsKey)}', expected '{LabelsMetadataValue}'");
        }

        if (metadata.GetValueOrDefault(SampleRateKey) != SampleRate)
        {
            problems.Add($"metadata '{SampleRateKey}' is '{metadata.GetValueOrDefault(SampleRateKey)}', expected '{SampleRate}'");
        }

        if (string.IsNullOrWhiteSpace(metadata.GetValueOrDefault(VersionKey)))
        {
            problems.Add($"metadata '{VersionKey}' is missing");
        }

        CheckSingleFloatTensor("input", inputs, InputName, IsWaveformShape, "[batch, samples]", problems);
        CheckSingleFloatTensor("output", outputs, OutputName, IsProbabilitiesShape, $"[batch, {EmotionLabels.All.Count}]", problems);

        if (problems.Count > 0)
        {
            throw new ModelContractException(
                $"The model breaks the contract of docs/design.md: {string.Join("; ", problems)}.");
        }

        return metadata[VersionKey];
    }

    private static void CheckSingleFloatTensor(
        string role, IReadOnlyList<TensorSignature> tensors, string name, Func<IReadOnlyList<int>, bool> hasShape,
        string shape, List<string> problems)
    {
        if (tensors.Count != 1 || tensors[0].Name != name || tensors[0].ElementType != TensorElementType.Float
            || !hasShape(tensors[0].Dimensions))
        {
            problems.Add($"{role} is {Describe(tensors)}, expected exactly '{name}' float {shape}");
        }
    }

    /// <summary>Both axes dynamic: any batch, any length (the graph needs ≥ 8000 samples, which we guarantee).</summary>
    private static bool IsWaveformShape(IReadOnlyList<int> dimensions) =>
        dimensions is [< 0 or 1, < 0];

    private static bool IsProbabilitiesShape(IReadOnlyList<int> dimensions) =>
        dimensions.Count == 2 && dimensions[0] is < 0 or 1 && dimensions[1] == EmotionLabels.All.Count;

    private static string Describe(IReadOnlyList<TensorSignature> tensors) =>
        tensors.Count == 0 ? "nothing" : string.Join(" and ", tensors.Select(tensor => $"'{tensor}'"));
}

/// <summary>The ONNX model does not match the contract the service codes against.</summary>
public sealed class ModelContractException(string message) : Exception(message);
