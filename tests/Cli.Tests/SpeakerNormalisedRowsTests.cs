using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Cli.Corpora;
using SpeechEmotion.Cli.Evaluation;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Tests;

/// <summary>
/// <c>evaluate --per-speaker-normalise</c>'s rows: each speaker's clean clips normalised together, never across
/// speakers, rejected clips left rejected. The probabilities are chosen so that pooling the speakers would change an
/// answer; the expected answers were worked out by hand (see the comments).
/// </summary>
public sealed class SpeakerNormalisedRowsTests
{
    // neutral, happy, sad, angry, fearful, surprised, disgust
    private static readonly float[] LeansNeutral = [0.576f, 0.288f, 0.096f, 0.01f, 0.01f, 0.01f, 0.01f];
    private static readonly float[] LeansSad = [0.48f, 0.096f, 0.384f, 0.01f, 0.01f, 0.01f, 0.01f];

    [Fact]
    public void Each_speakers_clips_are_normalised_together_and_rejections_stay()
    {
        IReadOnlyList<ClipResult> results =
        [
            Clip("01", "a1", EmotionLabels.Neutral, LeansNeutral),
            Clip("01", "a2", EmotionLabels.Sad, LeansSad),
            Clip("02", "b1", EmotionLabels.Sad, LeansSad),
            Rejected("02", "b2", EmotionLabels.Happy, "no_speech"),
        ];

        var rows = SpeakerNormalisedRows.Add(results, [0.5, 1], ClassPrior.Off);

        // Speaker 01, α = 1: g = geometric mean of a1, a2; a2 / g = (0.913, 0.577, 2, 1, 1, 1, 1) → sad;
        // a1 / g = (1.095, 1.732, 0.5, 1, …) → happy. α = 0.5: a1 → (0.375, 0.333, 0.103, …) neutral, a2 → (0.305, 0.108, 0.403, …) sad.
        Assert.Equal(["neutral", "sad", "neutral"], Emotions(rows, "speaker-normalised-0.5").Take(3));
        Assert.Equal(["happy", "sad"], Emotions(rows, "speaker-normalised-1").Take(2));
        // Speaker 02's only analysed clip, alone: p / p^0.5 = √p keeps its order (neutral). Pooled with speaker 01's
        // clips it would have become sad, as a2 did.
        Assert.Equal("neutral", rows[2].Predictions["speaker-normalised-0.5"].Emotion);
        Assert.Equal("no_speech", rows[3].Predictions["speaker-normalised-0.5"].RejectionCode);
        Assert.Equal("no_speech", rows[3].Predictions["speaker-normalised-1"].RejectionCode);
        // The clean row is untouched.
        Assert.Equal(["neutral", "neutral", "neutral"], Emotions(rows, Variations.Clean).Take(3));
    }

    [Fact]
    public void No_strengths_no_rows()
    {
        IReadOnlyList<ClipResult> results = [Clip("01", "a1", EmotionLabels.Neutral, LeansNeutral)];

        Assert.Same(results, SpeakerNormalisedRows.Add(results, [], ClassPrior.Off));
    }

    private static IEnumerable<string?> Emotions(IReadOnlyList<ClipResult> rows, string variation) =>
        rows.Select(row => row.Predictions[variation].Emotion);

    private static ClipResult Clip(string speaker, string name, string label, float[] probabilities) => new(
        new LabelledClip($"{name}.wav", "ravdess", speaker, label),
        new Dictionary<string, Prediction> { [Variations.Clean] = new(EmotionLabels.All[Array.IndexOf(probabilities, probabilities.Max())], null) },
        EmotionLabels.All.Select((l, i) => (l, i)).ToDictionary(pair => pair.l, pair => probabilities[pair.i]));

    private static ClipResult Rejected(string speaker, string name, string label, string code) => new(
        new LabelledClip($"{name}.wav", "ravdess", speaker, label),
        new Dictionary<string, Prediction> { [Variations.Clean] = Prediction.Rejected(code) },
        null);
}
