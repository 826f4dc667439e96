using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Inference;

/// <summary>
/// The class prior of issue 10: p'(c) ∝ p(c) · prior(c) / trainingPrior(c), renormalised. Expected values are worked
/// out by hand in each test.
/// </summary>
public sealed class ClassPriorTests
{
    // neutral, happy, sad, angry, fearful, surprised, disgust
    private static readonly float[] Model = [0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f];

    private static Dictionary<string, double> Prior(double neutral, double others) => new()
    {
        ["neutral"] = neutral, ["happy"] = others, ["sad"] = others, ["angry"] = others,
        ["fearful"] = others, ["surprised"] = others, ["disgust"] = others,
    };

    [Fact]
    public void A_call_centre_prior_shifts_mass_to_neutral_as_bayes_says()
    {
        // prior 0.6 neutral, 0.4/6 each other; training uniform.
        // p·prior: 0.5·0.6 = 0.3; 0.1·(1/15) = 1/150 (four labels); 0.05·(1/15) = 1/300 (two). Sum = 0.3 + 4/150 + 2/300 = 1/3.
        // p' = 0.9, 0.02 ×4, 0.01 ×2.
        var adjusted = ClassPrior.From(Prior(0.6, 0.4 / 6)).Apply(Model);

        float[] expected = [0.9f, 0.02f, 0.02f, 0.02f, 0.02f, 0.01f, 0.01f];
        Assert.Equal(expected, adjusted, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Weights_need_not_sum_to_one()
    {
        // 9 : 1 is the same ratio as 0.6 : 0.4/6, so the same answer as above.
        var adjusted = ClassPrior.From(Prior(9, 1)).Apply(Model);

        Assert.Equal(0.9f, adjusted[0], 1e-6f);
        Assert.Equal(0.01f, adjusted[6], 1e-6f);
    }

    [Fact]
    public void A_training_prior_in_the_model_metadata_is_divided_out()
    {
        // The model learned the frequencies 0.5, 0.1 ×4, 0.05 ×2 and outputs exactly them; for a uniform deployment
        // p / trainingPrior = 1 for every label, so each gets 1/7.
        var adjusted = ClassPrior.From(Prior(1, 1), "0.5,0.1,0.1,0.1,0.1,0.05,0.05").Apply(Model);

        Assert.All(adjusted, probability => Assert.Equal(1 / 7f, probability, 1e-6f));
    }

    [Fact]
    public void A_uniform_prior_changes_nothing_and_an_empty_one_is_off()
    {
        var uniform = ClassPrior.From(Prior(1, 1)).Apply(Model);
        var off = ClassPrior.From(new Dictionary<string, double>());

        Assert.Equal(Model, uniform, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.True(off.IsOff);
        Assert.Same(Model, off.Apply(Model));
    }

    [Fact]
    public void Remove_gives_back_the_models_own_probabilities()
    {
        // The first test's answer (0.9, 0.02 ×4, 0.01 ×2) divided by the weights (0.6, 1/15 ×6): 1.5, 0.3 ×4, 0.15 ×2,
        // sum 3 → 0.5, 0.1 ×4, 0.05 ×2 = Model.
        var prior = ClassPrior.From(Prior(0.6, 0.4 / 6));

        var removed = prior.Remove([0.9f, 0.02f, 0.02f, 0.02f, 0.02f, 0.01f, 0.01f]);

        Assert.Equal(Model, removed, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Same(Model, ClassPrior.Off.Remove(Model));
    }

    [Theory]
    [InlineData("calm", 1.0, "unknown: calm")]
    [InlineData("neutral", 0.0, "positive")]
    [InlineData("neutral", double.NaN, "positive")]
    public void A_wrong_prior_is_refused_with_its_reason(string label, double weight, string reason)
    {
        var prior = Prior(1, 1);
        prior[label] = weight;

        var error = Assert.Throws<ArgumentException>(() => ClassPrior.From(prior));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_prior_missing_a_label_is_refused()
    {
        var prior = Prior(1, 1);
        prior.Remove("disgust");

        Assert.Contains("missing: disgust", Assert.Throws<ArgumentException>(() => ClassPrior.From(prior)).Message);
    }

    [Theory]
    [InlineData("0.5,0.5")]
    [InlineData("a,b,c,d,e,f,g")]
    [InlineData("1,1,1,1,1,1,0")]
    public void Malformed_training_prior_metadata_is_refused(string metadata) =>
        Assert.Throws<ArgumentException>(() => ClassPrior.From(Prior(1, 1), metadata));

    [Fact]
    public async Task Analysis_ClassPrior_from_configuration_reweights_the_served_models_output()
    {
        var signal = TestSignals.Syllables(2);
        using var plain = new EmotionClassifier(ModelFiles.Cnn);
        var raw = plain.Classify(signal);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Analysis:ClassPrior:neutral"] = "0.6", ["Analysis:ClassPrior:happy"] = "0.1", ["Analysis:ClassPrior:sad"] = "0.1",
            ["Analysis:ClassPrior:angry"] = "0.05", ["Analysis:ClassPrior:fearful"] = "0.05",
            ["Analysis:ClassPrior:surprised"] = "0.05", ["Analysis:ClassPrior:disgust"] = "0.05",
        });
        builder.Services.AddEmotionAnalysis(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var classifier = host.Services.GetRequiredService<EmotionClassifier>();
        var adjusted = classifier.Classify(signal);
        await host.StopAsync();

        double[] prior = [0.6, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05];
        var total = raw.Select((p, i) => p * prior[i]).Sum();
        Assert.True(classifier.UsesClassPrior);
        Assert.False(plain.UsesClassPrior);
        for (var i = 0; i < raw.Length; i++)
        {
            Assert.Equal(raw[i] * prior[i] / total, adjusted[i], 1e-5);
        }

        Assert.Equal(1.0, adjusted.Sum(), 1e-5);
    }

    [Fact]
    public void The_batch_path_of_long_calls_applies_the_prior_as_the_single_path_does()
    {
        var signal = TestSignals.Syllables(2);
        var prior = new Dictionary<string, double>
        {
            ["neutral"] = 0.6, ["happy"] = 0.1, ["sad"] = 0.1, ["angry"] = 0.05, ["fearful"] = 0.05, ["surprised"] = 0.05, ["disgust"] = 0.05,
        };
        using var classifier = new EmotionClassifier(ModelFiles.Cnn, classPrior: prior);
        using var plain = new EmotionClassifier(ModelFiles.Cnn);
        float[] twice = [.. signal, .. signal];

        var single = classifier.Classify(signal);
        var batch = classifier.ClassifyBatch(twice, 2, signal.Length);

        Assert.Equal(single, batch[0], (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(single, batch[1], (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.NotEqual(plain.Classify(signal), single, (a, b) => Math.Abs(a - b) < 1e-3);
    }
}
