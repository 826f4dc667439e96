using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Evaluation;

/// <summary>
/// The per-speaker normalisation rows of <c>evaluate --per-speaker-normalise</c>: all clean clips of one speaker are
/// taken as the windows of one call's channel (the service normalises a channel over the whole call), their
/// probabilities normalised together by <see cref="SpeakerNormalisation"/>, each clip weighted equally. A clip the
/// service rejected stays rejected, with the same code.
/// </summary>
public static class SpeakerNormalisedRows
{
    public static IReadOnlyList<ClipResult> Add(IReadOnlyList<ClipResult> results, IReadOnlyList<double> strengths, ClassPrior prior)
    {
        if (strengths.Count == 0)
        {
            return results;
        }

        var predictions = results.Select(result => new Dictionary<string, Prediction>(result.Predictions)).ToArray();
        foreach (var speaker in results.Select((result, index) => (result, index)).GroupBy(pair => pair.result.Clip.QualifiedSpeaker))
        {
            var analysed = speaker.Where(pair => pair.result.Probabilities is not null).ToList();
            var rejected = speaker.Where(pair => pair.result.Probabilities is null).ToList();
            var probabilities = analysed.Select(pair => EmotionLabels.InLabelOrder(pair.result.Probabilities!)).ToList();
            var weights = analysed.Select(_ => 1.0).ToList();
            foreach (var strength in strengths)
            {
                var variation = Variations.SpeakerNormalised(strength);
                var normalised = analysed.Count == 0 ? [] : SpeakerNormalisation.Apply(probabilities, weights, strength, prior);
                for (var i = 0; i < analysed.Count; i++)
                {
                    predictions[analysed[i].index][variation] = new Prediction(EmotionLabels.MostProbable(normalised[i]), null);
                }
                foreach (var (result, index) in rejected)
                {
                    predictions[index][variation] = result.Predictions[Variations.Clean];
                }
            }
        }

        return results.Select((result, index) => result with { Predictions = predictions[index] }).ToList();
    }

}
