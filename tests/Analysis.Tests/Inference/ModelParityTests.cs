using System.Runtime.InteropServices;
using System.Text.Json;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Analysis.Tests.Inference;

/// <summary>
/// ONNX Runtime in C# reproduces what training computed for the reference cases (models/reference/cases.json),
/// which proves the exported graph, its front end and our tensor plumbing agree.
/// </summary>
public sealed class ModelParityTests
{
    private const float Tolerance = 1e-4f;

    private sealed record ReferenceCase(string Name, string Input, int Samples, float[] Cnn, float[] Baseline);

    private sealed record ReferenceFile(float Tolerance, string[] Labels, ReferenceCase[] Cases);

    private static ReferenceFile LoadReferences() =>
        JsonSerializer.Deserialize<ReferenceFile>(File.ReadAllText(ModelFiles.Reference("cases.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static float[] LoadSamples(ReferenceCase reference) =>
        MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(ModelFiles.Reference(reference.Input))).ToArray();

    [Fact]
    public void References_use_our_labels_in_our_order() =>
        Assert.Equal(EmotionLabels.All, LoadReferences().Labels);

    [Theory]
    [InlineData("cnn")]
    [InlineData("baseline")]
    public void Probabilities_match_the_training_side_within_1e_4(string model)
    {
        var references = LoadReferences();
        Assert.NotEmpty(references.Cases);
        using var classifier = new EmotionClassifier(model == "cnn" ? ModelFiles.Cnn : ModelFiles.Baseline);

        foreach (var reference in references.Cases)
        {
            var samples = LoadSamples(reference);
            Assert.Equal(reference.Samples, samples.Length);
            var expected = model == "cnn" ? reference.Cnn : reference.Baseline;

            var actual = classifier.Classify(samples);

            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance,
                    $"{model} {reference.Name} {EmotionLabels.All[i]}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }

    [Fact]
    public void The_served_model_loads_and_tells_its_version()
    {
        using var classifier = new EmotionClassifier(ModelFiles.Cnn);

        Assert.StartsWith("cnn-", classifier.ModelVersion);
    }

    [Fact]
    public void A_missing_model_file_is_named_in_the_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new EmotionClassifier("/nonexistent/model.onnx"));

        Assert.Contains("/nonexistent/model.onnx", error.Message);
    }

    [Fact]
    public void Fewer_than_8000_samples_are_refused_before_reaching_the_graph()
    {
        using var classifier = new EmotionClassifier(ModelFiles.Cnn);

        Assert.Throws<ArgumentException>(() => classifier.Classify(new float[7999]));
    }
}
