using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Preprocessing;

/// <summary>The trimming rule of docs/design.md, checked on signals whose answer is known by construction.</summary>
public sealed class SilenceTrimmerTests
{
    // The numbers of docs/design.md, written out rather than taken from SilenceTrimmer, so a changed constant fails here.
    private const int Frame = 320; // 20 ms
    private const int Margin = 640; // 2 frames = 40 ms

    [Fact]
    public void A_tone_between_silences_is_cut_to_the_tone_plus_40_ms_each_side()
    {
        var signal = TestSignals.Concat(TestSignals.Silence(1), TestSignals.Tone(1), TestSignals.Silence(1));

        var kept = SilenceTrimmer.Trim(signal);

        Assert.Equal(16000 - Margin, kept.Offset);
        Assert.Equal(16000 + Margin, kept.Offset + kept.Count - 16000);
    }

    [Fact]
    public void Quiet_background_more_than_40_dB_down_is_trimmed_but_louder_sound_is_kept()
    {
        // Tone at 0.5 amplitude; background noise at 0.002 (about -51 dB relative: trimmed);
        // a murmur at 0.05 (about -17 dB relative: voiced) before the tone.
        var background = TestSignals.WhiteNoise(0.5, 0.002f);
        var murmur = TestSignals.WhiteNoise(0.2, 0.05f, seed: 9);
        var signal = TestSignals.Concat(background, murmur, TestSignals.Tone(1), background);

        var kept = SilenceTrimmer.Trim(signal);

        Assert.Equal(8000 - Margin, kept.Offset);
        Assert.Equal(8000 + 3200 + 16000 + Margin, kept.Offset + kept.Count);
    }

    [Fact]
    public void Margins_are_clamped_to_the_signal_and_a_trailing_partial_frame_is_dropped()
    {
        // Sound from the very first sample to the last; 100 samples more than 50 whole frames.
        var signal = TestSignals.Tone(1.0 + (100 / 16000.0));

        var kept = SilenceTrimmer.Trim(signal);

        Assert.Equal(0, kept.Offset);
        Assert.Equal(50 * Frame, kept.Count);
    }

    [Fact]
    public void Onset_inside_a_frame_keeps_that_whole_frame()
    {
        // Tone starts 100 samples into frame 10: frame 10 is voiced, so keeping starts at frame 8.
        var signal = TestSignals.Concat(TestSignals.Silence((10 * Frame + 100) / 16000.0), TestSignals.Tone(0.5), TestSignals.Silence(0.5));

        var kept = SilenceTrimmer.Trim(signal);

        Assert.Equal(8 * Frame, kept.Offset);
    }

    [Fact]
    public void Digital_silence_has_no_voiced_frame() =>
        Assert.Equal(0, SilenceTrimmer.Trim(TestSignals.Silence(2)).Count);

    [Fact]
    public void Short_waveforms_are_centred_in_half_a_second_of_zeros()
    {
        var tone = TestSignals.Tone(0.2);

        var padded = ModelInput.CenterPad(tone);

        Assert.Equal(ModelInput.MinSamples, padded.Count);
        Assert.Equal(tone, padded.AsSpan(2400, 3200).ToArray());
        Assert.All(padded.AsSpan(0, 2400).ToArray(), sample => Assert.Equal(0f, sample));
        Assert.All(padded.AsSpan(5600).ToArray(), sample => Assert.Equal(0f, sample));
    }

    [Fact]
    public void Long_enough_waveforms_are_passed_through_without_a_copy()
    {
        var tone = TestSignals.Tone(0.6);

        Assert.Same(tone, ModelInput.CenterPad(tone).Array);
    }
}
