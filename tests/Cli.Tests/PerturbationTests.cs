using System.Buffers.Binary;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Cli.Audio;
using SpeechEmotion.Cli.Evaluation;

namespace SpeechEmotion.Cli.Tests;

/// <summary>The robustness channels of <c>evaluate --perturb</c> do what they claim, and are deterministic.</summary>
public sealed class PerturbationTests
{
    private static double GainDb(float[] input, float[] output) =>
        20 * Math.Log10(TestSignals.Rms(output) / TestSignals.Rms(input));

    [Fact]
    public void The_telephone_band_keeps_1_kHz_and_removes_100_Hz_and_6_kHz_at_8_kHz()
    {
        float[] Settled(float[] samples) => samples[800..^800]; // skip the filters' start-up (0.1 s at 8 kHz)
        var voiceBand = TestSignals.Tone(2, frequency: 1000);
        var hum = TestSignals.Tone(2, frequency: 100);
        var hiss = TestSignals.Tone(2, frequency: 6000);

        var passed = TelephoneChannel.BandLimit(voiceBand);

        Assert.Equal(16000, passed.Length);                                   // 2 s at 8 kHz
        Assert.InRange(GainDb(voiceBand, Settled(passed)), -1, 1);
        Assert.True(GainDb(hum, Settled(TelephoneChannel.BandLimit(hum))) < -30);
        Assert.True(GainDb(hiss, Settled(TelephoneChannel.BandLimit(hiss))) < -30);
    }

    [Fact]
    public void The_band_limited_signal_lines_up_with_the_original()
    {
        // A 1 kHz tone that starts at 0.5 s must start near sample 4000 of the 8 kHz output (within 5 ms: the filters'
        // own delay), not 25 samples late as the raw decimator's output would.
        var burst = TestSignals.Concat(TestSignals.Silence(0.5), TestSignals.Tone(0.5, frequency: 1000));

        var narrow = TelephoneChannel.BandLimit(burst);
        var onset = Array.FindIndex(narrow, sample => Math.Abs(sample) > 0.1f);

        Assert.InRange(onset, 4000 - 40, 4000 + 40);
    }

    [Fact]
    public void The_telephone_file_is_an_8_kHz_mu_law_wav()
    {
        var wav = TelephoneChannel.ToMuLawWav(TestSignals.Syllables(1));

        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(7, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20)));      // WAVE_FORMAT_MULAW
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));       // 8-bit codes
    }

    [Fact]
    public void Room_noise_has_exactly_its_level_and_the_same_seed_gives_the_same_noise()
    {
        var noise = RoomNoise.Noise(16000, -50, seed: 3);

        Assert.Equal(Math.Pow(10, -50 / 20.0), TestSignals.Rms(noise), 1e-7);
        Assert.Equal(noise, RoomNoise.Noise(16000, -50, seed: 3));
        Assert.NotEqual(noise, RoomNoise.Noise(16000, -50, seed: 4));
    }

    [Fact]
    public void Padding_puts_the_clip_between_half_a_second_and_two_seconds_of_noise_only()
    {
        var clip = TestSignals.Tone(1);
        var padding = RoomNoise.DrawPadding(new Random(1));
        var quiet = RoomNoise.PadWithNoise(clip, padding, -70, noiseSeed: 5);
        var loud = RoomNoise.PadWithNoise(clip, padding, -35, noiseSeed: 5);

        Assert.InRange(padding.Before, 8000, 32000);
        Assert.InRange(padding.After, 8000, 32000);
        Assert.Equal(padding.Before + 16000 + padding.After, quiet.Length);
        // Before the clip there is only noise at the level asked for; the clip itself is where it was put.
        Assert.Equal(Math.Pow(10, -35 / 20.0), TestSignals.Rms(loud.AsSpan(0, padding.Before)), 0.3 * Math.Pow(10, -35 / 20.0));
        Assert.Equal(clip[4000], quiet[padding.Before + 4000], 1e-3);
        Assert.Equal(RoomNoise.DrawPadding(new Random(1)), padding);
    }

    [Fact]
    public void Each_clip_has_its_own_seed_that_does_not_depend_on_the_folder_or_the_run()
    {
        Assert.Equal(ClipEvaluator.SeedOf("03-01-05-02-01-02-07.flac"), ClipEvaluator.SeedOf("03-01-05-02-01-02-07.flac"));
        Assert.NotEqual(ClipEvaluator.SeedOf("03-01-05-02-01-02-07.flac"), ClipEvaluator.SeedOf("03-01-05-02-01-01-07.flac"));
        // FNV-1a over the name from offset basis 2166136261 XOR 20261130, worked out in Python; a change of the hash
        // would silently change every perturbed figure.
        Assert.Equal(304481922, ClipEvaluator.SeedOf("a.wav"));
    }
}
