using SpeechEmotion.Cli.Evaluation;

namespace SpeechEmotion.Cli.Tests;

/// <summary>
/// Against confusion matrices worked out by hand; the same numbers scikit-learn gives (checked with
/// accuracy_score, precision_recall_fscore_support(zero_division=0) and f1_score(average="macro"), the rejected clip
/// given a pseudo-label outside `labels`).
/// </summary>
public sealed class ClassificationMetricsTests
{
    private static (string, string?)[] Outcomes(params (string Truth, string? Predicted, int Count)[] cells) =>
        cells.SelectMany(cell => Enumerable.Repeat((cell.Truth, cell.Predicted), cell.Count)).ToArray();

    [Fact]
    public void Three_labels_and_a_rejected_clip()
    {
        // true \ predicted   neutral  sad  angry  rejected
        // neutral                  3    1
        // sad                      1    2
        // angry                         1      2         1
        var metrics = ClassificationMetrics.Compute(Outcomes(
            ("neutral", "neutral", 3), ("neutral", "sad", 1),
            ("sad", "neutral", 1), ("sad", "sad", 2),
            ("angry", "sad", 1), ("angry", "angry", 2), ("angry", null, 1)));

        Assert.Equal(11, metrics.Clips);
        Assert.Equal(7 / 11.0, metrics.Accuracy, 1e-12);                    // 0.636364
        var neutral = metrics.PerClass[0];
        var sad = metrics.PerClass[2];
        var angry = metrics.PerClass[3];
        Assert.Equal((0.75, 0.75, 0.75, 4), (neutral.Precision, neutral.Recall, neutral.F1, neutral.Support));
        Assert.Equal(2 / 4.0, sad.Precision, 1e-12);                         // sad predicted 4 times, 2 right
        Assert.Equal(2 / 3.0, sad.Recall, 1e-12);
        Assert.Equal(4 / 7.0, sad.F1, 1e-12);                                // 2·0.5·0.667 / 1.167
        Assert.Equal(3, sad.Support);
        Assert.Equal(1.0, angry.Precision, 1e-12);
        Assert.Equal(0.5, angry.Recall, 1e-12);                              // the rejected clip is a miss
        Assert.Equal(2 / 3.0, angry.F1, 1e-12);
        Assert.Equal(4, angry.Support);
        // Labels that never occur (happy, fearful, surprised, disgust) are outside the macro average.
        Assert.Equal((0.75 + (4 / 7.0) + (2 / 3.0)) / 3, metrics.MacroF1, 1e-12); // 0.662698
        Assert.Equal([0, 0, 1, 2, 0, 0, 0], metrics.Confusion[3]);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0], metrics.Rejected);
        Assert.Equal(1, metrics.RejectedTotal);
    }

    [Fact]
    public void A_label_predicted_but_never_true_counts_in_macro_f1_with_zero()
    {
        // sklearn: f1_score(["n","n","s","s"], ["n","h","s","s"], average="macro") = (2/3 + 1 + 0) / 3 = 0.5556
        var metrics = ClassificationMetrics.Compute(Outcomes(
            ("neutral", "neutral", 1), ("neutral", "happy", 1), ("sad", "sad", 2)));

        Assert.Equal(0.75, metrics.Accuracy, 1e-12);
        Assert.Equal(((2 / 3.0) + 1 + 0) / 3, metrics.MacroF1, 1e-12);
        Assert.Equal((0.0, 0.0, 0.0, 0), (metrics.PerClass[1].Precision, metrics.PerClass[1].Recall, metrics.PerClass[1].F1, metrics.PerClass[1].Support));
    }

    [Fact]
    public void All_right_is_one_and_nothing_is_zero()
    {
        var perfect = ClassificationMetrics.Compute(Outcomes(("happy", "happy", 3), ("disgust", "disgust", 2)));
        var empty = ClassificationMetrics.Compute([]);

        Assert.Equal((1.0, 1.0), (perfect.Accuracy, perfect.MacroF1));
        Assert.Equal((0.0, 0.0, 0), (empty.Accuracy, empty.MacroF1, empty.Clips));
    }

    [Fact]
    public void An_unknown_label_is_a_bug_not_a_silent_miss() =>
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([("calm", "neutral")]));
}
