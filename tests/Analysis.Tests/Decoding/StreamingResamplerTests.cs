using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Decoding;

/// <summary>The band-limited resampler against ideal signals: right frequency, right place, nothing else.</summary>
public sealed class StreamingResamplerTests
{
    private static float[] ResampleAll(float[] input, int inputRate, params int[] blockSizes)
    {
        var resampler = new StreamingResampler(inputRate, 16000);
        var output = new List<float>();
        var pulled = new float[777];
        var offset = 0;
        for (var i = 0; offset < input.Length; i++)
        {
            var size = Math.Min(blockSizes[i % blockSizes.Length], input.Length - offset);
            resampler.Push(input.AsSpan(offset, size));
            offset += size;
            Drain();
        }

        resampler.Finish();
        Drain();
        return output.ToArray();

        void Drain()
        {
            int count;
            while ((count = resampler.Pull(pulled)) > 0)
            {
                output.AddRange(pulled.AsSpan(0, count));
            }
        }
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(11025)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void A_1_kHz_tone_comes_out_at_1_kHz_in_place_with_everything_else_below_minus_60_dB(int inputRate)
    {
        var input = TestSignals.Tone(2, inputRate, frequency: 1000, amplitude: 0.5f);

        var output = ResampleAll(input, inputRate, input.Length);

        // Same duration, to the sample.
        Assert.Equal(32000, output.Length);
        // Free phase and amplitude: whatever is not a 1 kHz sine (aliases, images, noise) is below -60 dB.
        var residual = DecodingHelpers.ResidualAfterToneDb(output, 1000);
        Assert.True(residual < -60, $"residual {residual:F1} dB");
        // Against the ideal 16 kHz tone itself: no delay, no gain error (the filter's delay is compensated).
        var ideal = TestSignals.Tone(2, 16000, frequency: 1000, amplitude: 0.5f);
        var error = output.Zip(ideal, (a, b) => a - b).Skip(800).SkipLast(800).ToArray();
        var errorDb = DecodingHelpers.RmsDbfs(error) - DecodingHelpers.RmsDbfs(ideal);
        Assert.True(errorDb < -60, $"error against the ideal tone {errorDb:F1} dB");
    }

    [Theory]
    [InlineData(48000, 10000)] // would alias to 6 kHz
    [InlineData(44100, 12000)] // would alias to 4 kHz
    [InlineData(22050, 9000)]  // would alias to 7 kHz
    public void A_tone_above_the_new_Nyquist_frequency_is_removed_not_folded_back(int inputRate, int frequency)
    {
        var input = TestSignals.Tone(1, inputRate, frequency, amplitude: 0.5f);

        var output = ResampleAll(input, inputRate, input.Length);

        var level = DecodingHelpers.RmsDbfs(output.AsSpan(800, output.Length - 1600)) - DecodingHelpers.RmsDbfs(input);
        Assert.True(level < -60, $"alias at {level:F1} dB");
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Block_wise_output_equals_one_shot_output(int inputRate)
    {
        var input = TestSignals.Concat(TestSignals.Syllables(1.3, inputRate), TestSignals.WhiteNoise(0.7, 0.3f, sampleRate: inputRate));

        var oneShot = ResampleAll(input, inputRate, input.Length);
        var blockWise = ResampleAll(input, inputRate, 1, 17, 160, 4096, 3, 999);

        Assert.Equal(oneShot, blockWise);
    }
}
