using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.IntegrationTests.Audio;

/// <summary>
/// Generates the recordings the tests upload, so no audio file is ever committed. Everything is 16-bit PCM WAV.
/// "Speech-like" means a voiced harmonic tone chopped into syllables: it survives the silence trimmer and gives the
/// model something to classify; it is not meant to carry any particular emotion.
/// </summary>
public static class TestAudio
{
    public const int SampleRate = 16_000;

    /// <summary>Voiced syllables (about 4 per second) on a gliding 120–220 Hz pitch with a few harmonics.</summary>
    public static byte[] SpeechLikeWav(double seconds, int seed = 1, int sampleRate = SampleRate)
    {
        var random = new Random(seed);
        var samples = new float[SampleCount(seconds, sampleRate)];
        var basePitch = 120 + random.NextDouble() * 100;
        const double syllablePeriod = 0.25;   // seconds from one syllable start to the next
        const double syllableLength = 0.18;   // voiced part of each period; the rest is a short gap
        double phase = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / sampleRate;
            var pitch = basePitch * (1 + 0.08 * Math.Sin(2 * Math.PI * 3 * t));
            phase += 2 * Math.PI * pitch / sampleRate;
            var withinSyllable = t % syllablePeriod;
            var envelope = withinSyllable < syllableLength ? Math.Sin(Math.PI * withinSyllable / syllableLength) : 0;
            var voiced = 0.6 * Math.Sin(phase) + 0.25 * Math.Sin(2 * phase) + 0.1 * Math.Sin(3 * phase);
            var breath = 0.01 * (random.NextDouble() * 2 - 1);
            samples[i] = (float)(0.5 * envelope * voiced + breath);
        }
        return Wav(samples, sampleRate);
    }

    /// <summary>Digital silence: every sample zero, so no frame counts as voiced.</summary>
    public static byte[] SilenceWav(double seconds, int sampleRate = SampleRate) =>
        Wav(new float[SampleCount(seconds, sampleRate)], sampleRate);

    /// <summary>Uniform white noise at the given peak amplitude.</summary>
    public static byte[] NoiseWav(double seconds, double amplitude = 0.3, int seed = 7, int sampleRate = SampleRate)
    {
        var random = new Random(seed);
        var samples = new float[SampleCount(seconds, sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(amplitude * (random.NextDouble() * 2 - 1));
        }
        return Wav(samples, sampleRate);
    }

    /// <summary>Bytes that match no audio signature (the first byte is never 0xFF, 'I', 'R', 'O' or 'f').</summary>
    public static byte[] RandomBytes(int length, int seed = 11)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x00;
        return bytes;
    }

    /// <summary>Mono 16-bit PCM WAV.</summary>
    public static byte[] Wav(ReadOnlySpan<float> samples, int sampleRate = SampleRate) => WavWriter.Pcm16(samples, sampleRate);

    private static int SampleCount(double seconds, int sampleRate) => (int)Math.Round(seconds * sampleRate);
}
