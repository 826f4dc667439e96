using Microsoft.ML.OnnxRuntime.Tensors;
using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Analysis.Tests.Inference;

/// <summary>The contract check on hand-made metadata: no model file (and no Python) needed.</summary>
public sealed class ModelContractTests
{
    private static Dictionary<string, string> GoodMetadata() => new()
    {
        ["labels"] = "neutral,happy,sad,angry,fearful,surprised,disgust",
        ["sample_rate"] = "16000",
        ["model_version"] = "cnn-test-1",
        ["min_samples"] = "8000",
    };

    private static readonly TensorSignature GoodInput = new("waveform", TensorElementType.Float, [-1, -1]);
    private static readonly TensorSignature GoodOutput = new("probabilities", TensorElementType.Float, [-1, 7]);

    private static string Refusal(Dictionary<string, string> metadata, TensorSignature[]? inputs = null, TensorSignature[]? outputs = null) =>
        Assert.Throws<ModelContractException>(() => ModelContract.Check(metadata, inputs ?? [GoodInput], outputs ?? [GoodOutput])).Message;

    [Fact]
    public void A_model_that_keeps_the_contract_passes_and_gives_its_version() =>
        Assert.Equal("cnn-test-1", ModelContract.Check(GoodMetadata(), [GoodInput], [GoodOutput]));

    [Theory]
    [InlineData("happy,neutral,sad,angry,fearful,surprised,disgust")] // swapped
    [InlineData("neutral,happy,sad,angry,fearful,surprised")] // six
    [InlineData("neutral, happy, sad, angry, fearful, surprised, disgust")] // spaced
    [InlineData("Neutral,Happy,Sad,Angry,Fearful,Surprised,Disgust")]
    public void Wrong_labels_are_refused(string labels)
    {
        var metadata = GoodMetadata();
        metadata["labels"] = labels;

        Assert.Contains("'labels'", Refusal(metadata));
    }

    [Fact]
    public void Missing_labels_are_refused()
    {
        var metadata = GoodMetadata();
        metadata.Remove("labels");

        Assert.Contains("'labels'", Refusal(metadata));
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("22050")]
    [InlineData("16 kHz")]
    public void A_wrong_sample_rate_is_refused(string sampleRate)
    {
        var metadata = GoodMetadata();
        metadata["sample_rate"] = sampleRate;

        Assert.Contains("'sample_rate'", Refusal(metadata));
    }

    [Fact]
    public void A_missing_version_is_refused()
    {
        var metadata = GoodMetadata();
        metadata.Remove("model_version");

        Assert.Contains("'model_version'", Refusal(metadata));
    }

    public static TheoryData<TensorSignature> WrongInputs() => new()
    {
        new TensorSignature("audio", TensorElementType.Float, [-1, -1]),
        new TensorSignature("waveform", TensorElementType.Double, [-1, -1]),
        new TensorSignature("waveform", TensorElementType.Float, [-1, 16000]), // fixed length
        new TensorSignature("waveform", TensorElementType.Float, [-1, 1, -1]), // [batch, channel, samples]
        new TensorSignature("waveform", TensorElementType.Float, [-1]),
    };

    [Theory]
    [MemberData(nameof(WrongInputs))]
    public void A_wrong_input_is_refused(TensorSignature input) =>
        Assert.Contains("input is", Refusal(GoodMetadata(), inputs: [input]));

    [Fact]
    public void A_second_input_is_refused() =>
        Assert.Contains("input is", Refusal(GoodMetadata(), inputs: [GoodInput, new TensorSignature("lengths", TensorElementType.Int64, [-1])]));

    public static TheoryData<TensorSignature> WrongOutputs() => new()
    {
        new TensorSignature("logits", TensorElementType.Float, [-1, 7]),
        new TensorSignature("probabilities", TensorElementType.Float, [-1, 6]),
        new TensorSignature("probabilities", TensorElementType.Float, [-1, -1]),
        new TensorSignature("probabilities", TensorElementType.Float, [7]),
        new TensorSignature("probabilities", TensorElementType.Float16, [-1, 7]),
    };

    [Theory]
    [MemberData(nameof(WrongOutputs))]
    public void A_wrong_output_is_refused(TensorSignature output) =>
        Assert.Contains("output is", Refusal(GoodMetadata(), outputs: [output]));

    [Fact]
    public void Every_broken_rule_is_named_in_one_message()
    {
        var metadata = GoodMetadata();
        metadata["sample_rate"] = "8000";
        metadata["labels"] = "a,b,c";

        var message = Refusal(metadata, outputs: [new TensorSignature("probabilities", TensorElementType.Float, [-1, 3])]);

        Assert.Contains("'labels'", message);
        Assert.Contains("'sample_rate'", message);
        Assert.Contains("output is", message);
    }
}
