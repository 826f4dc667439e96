using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Analysis.Tests.Inference;

/// <summary>
/// Per-speaker normalisation of issue 10: p'(c|x) ∝ p(c|x) / g(c)^α, g the speaker's weighted geometric mean of p.
/// Expected values are worked out by hand in each test (three labels keep the arithmetic short).
/// </summary>
public sealed class SpeakerNormalisationTests
{
    // One speaker, two windows.
    private static readonly float[][] Windows = [[0.5f, 0.25f, 0.25f], [0.25f, 0.5f, 0.25f]];

    [Fact]
    public void Full_strength_divides_out_the_speakers_geometric_mean()
    {
        // g = (√(0.5·0.25), √(0.25·0.5), 0.25) = (0.353553, 0.353553, 0.25).
        // Window 1: p/g = (1.414214, 0.707107, 1), sum 3.121320 → (0.453082, 0.226541, 0.320377); window 2 mirrored.
        var normalised = SpeakerNormalisation.Apply(Windows, [1, 1], strength: 1);

        AssertClose([0.453082f, 0.226541f, 0.320377f], normalised[0]);
        AssertClose([0.226541f, 0.453082f, 0.320377f], normalised[1]);
    }

    [Fact]
    public void Half_strength_divides_by_the_square_root_of_the_mean()
    {
        // g^-0.5 = (0.125^-0.25, 0.125^-0.25, 0.25^-0.5) = (1.681793, 1.681793, 2).
        // Window 1: (0.840896, 0.420448, 0.5), sum 1.761344 → (0.477417, 0.238709, 0.283874).
        var normalised = SpeakerNormalisation.Apply(Windows, [1, 1], strength: 0.5);

        AssertClose([0.477417f, 0.238709f, 0.283874f], normalised[0]);
    }

    [Fact]
    public void Windows_count_in_the_mean_by_their_weight()
    {
        // Weights 3 : 1: g = (0.5^0.75·0.25^0.25, 0.25^0.75·0.5^0.25, 0.25) = (0.420448, 0.297302, 0.25).
        // Window 2: p/g = (0.594604, 1.681793, 1), sum 3.276397 → (0.181481, 0.513306, 0.305213).
        var normalised = SpeakerNormalisation.Apply(Windows, [3, 1], strength: 1);

        AssertClose([0.181481f, 0.513306f, 0.305213f], normalised[1]);
    }

    [Fact]
    public void A_speaker_who_always_sounds_the_same_carries_no_evidence_at_full_strength()
    {
        float[][] same = [[0.7f, 0.2f, 0.1f], [0.7f, 0.2f, 0.1f], [0.7f, 0.2f, 0.1f]];

        var normalised = SpeakerNormalisation.Apply(same, [1, 2, 1], strength: 1);

        Assert.All(normalised, window => AssertClose([1 / 3f, 1 / 3f, 1 / 3f], window));
    }

    [Fact]
    public void A_bias_shared_by_every_window_no_longer_decides()
    {
        // The voice adds weight to label 0 in both windows: the model says 0 for both, though window 2 leans to 2.
        float[][] biased = [[0.6f, 0.3f, 0.1f], [0.5f, 0.1f, 0.4f]];

        var normalised = SpeakerNormalisation.Apply(biased, [1, 1], strength: 1);

        // g = (√0.3, √0.03, √0.04) = (0.547723, 0.173205, 0.2); window 2: p/g = (0.912871, 0.577350, 2) → label 2.
        Assert.Equal(2, Array.IndexOf(normalised[1], normalised[1].Max()));
        Assert.Equal(0, Array.IndexOf(biased[1], biased[1].Max()));
    }

    [Fact]
    public void Strength_zero_is_off()
    {
        var normalised = SpeakerNormalisation.Apply(Windows, [1, 1], strength: 0);

        Assert.Equal(Windows, normalised);
        Assert.NotSame(Windows[0], normalised[0]);
    }

    [Fact]
    public void A_class_prior_is_kept_not_cancelled()
    {
        // Normalising the prior-weighted probabilities equals normalising the model's own and then applying the prior.
        float[][] model = [[0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f], [0.2f, 0.1f, 0.3f, 0.1f, 0.1f, 0.1f, 0.1f]];
        var prior = ClassPrior.From(new Dictionary<string, double>
        {
            ["neutral"] = 0.6, ["happy"] = 0.4 / 6, ["sad"] = 0.4 / 6, ["angry"] = 0.4 / 6,
            ["fearful"] = 0.4 / 6, ["surprised"] = 0.4 / 6, ["disgust"] = 0.4 / 6,
        });

        var normalised = SpeakerNormalisation.Apply(model.Select(prior.Apply).ToList(), [1, 1], strength: 1, prior);
        var expected = SpeakerNormalisation.Apply(model, [1, 1], strength: 1).Select(prior.Apply).ToList();

        AssertClose(expected[0], normalised[0]);
        AssertClose(expected[1], normalised[1]);
        // Without handing the prior in, full strength would cancel it: that is what the overload is for.
        var cancelled = SpeakerNormalisation.Apply(model.Select(prior.Apply).ToList(), [1, 1], strength: 1);
        Assert.True(cancelled[0][0] < normalised[0][0] - 0.1);
    }

    [Fact]
    public void Wrong_input_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeakerNormalisation.Apply(Windows, [1, 1], strength: -0.5));
        Assert.Throws<ArgumentException>(() => SpeakerNormalisation.Apply(Windows, [1], strength: 1));
        Assert.Throws<ArgumentException>(() => SpeakerNormalisation.Apply(Windows, [0, 0], strength: 1));
        Assert.Throws<ArgumentException>(() => SpeakerNormalisation.Apply(Windows, [1, double.NaN], strength: 1));
    }

    private static void AssertClose(float[] expected, float[] actual) =>
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 2e-6);
}
