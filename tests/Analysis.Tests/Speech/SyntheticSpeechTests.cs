using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.Analysis.Tests.Speech;

/// <summary>
/// The synthetic sentences stand in for recorded speech wherever ../shared is absent, so they must be speech to the
/// detector: each one, between pauses over a noise floor, is a single region that covers it.
/// </summary>
public sealed class SyntheticSpeechTests(SpeechDetectorFixture fixture) : IClassFixture<SpeechDetectorFixture>
{
    private const double Tolerance = 0.3; // seconds, as in SpeechDetectorTests

    public static TheoryData<int, double, int, double> Voices()
    {
        var voices = new TheoryData<int, double, int, double>();
        foreach (var seed in Enumerable.Range(1, 12))
        {
            voices.Add(seed, 115, 16, 1.0);   // the agent's voice
            voices.Add(seed, 205, 14, 1.15);  // the customer's
        }

        return voices;
    }

    [Theory]
    [MemberData(nameof(Voices))]
    public void A_synthetic_sentence_is_one_speech_region_from_its_start_to_its_end(int seed, double pitchHz, int syllables, double formantScale)
    {
        var sentence = SyntheticSpeech.Sentence(seed, pitchHz, syllables, formantScale);
        var call = new GeneratedCall().Pause(1).Speak(GeneratedCall.CutToSpeech(sentence), -30).Pause(1);

        var found = Assert.Single(fixture.Detector.Detect(call.Render(-60, NoiseColour.Pink)));

        var truth = call.Speech[0];
        Assert.InRange(found.Start, truth.StartSeconds - Tolerance, truth.StartSeconds + Tolerance);
        Assert.InRange(found.End, truth.EndSeconds - Tolerance, truth.EndSeconds + Tolerance);
    }

    [Fact]
    public void The_same_arguments_give_the_same_samples_and_another_seed_other_samples()
    {
        Assert.Equal(SyntheticSpeech.Sentence(3, 115, 16, 1.0), SyntheticSpeech.Sentence(3, 115, 16, 1.0));
        Assert.NotEqual(SyntheticSpeech.Sentence(3, 115, 16, 1.0), SyntheticSpeech.Sentence(4, 115, 16, 1.0));
    }
}
