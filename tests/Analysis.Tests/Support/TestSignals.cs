namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>Audio made in code: nothing is read from disk, so every test says exactly what it feeds in.</summary>
internal static class TestSignals
{
    /// <summary>
    /// A voiced-like tone: a fundamental with two harmonics under a 4 Hz syllable envelope that never drops to zero
    /// (so trimming keeps all of it).
    /// </summary>
    public static float[] Syllables(double seconds, int sampleRate = 16000, double frequency = 180, float amplitude = 0.3f)
    {
        var samples = new float[(int)Math.Round(seconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / (double)sampleRate;
            var envelope = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t));
            var voice = Math.Sin(2 * Math.PI * frequency * t) + (0.5 * Math.Sin(4 * Math.PI * frequency * t))
                + (0.25 * Math.Sin(6 * Math.PI * frequency * t));
            samples[i] = (float)(amplitude * envelope * voice / 1.75);
        }

        return samples;
    }

    /// <summary>A steady sine, the easiest thing to locate exactly.</summary>
    public static float[] Tone(double seconds, int sampleRate = 16000, double frequency = 440, float amplitude = 0.5f)
    {
        var samples = new float[(int)Math.Round(seconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
        }

        return samples;
    }

    public static float[] WhiteNoise(double seconds, float amplitude, int seed = 7, int sampleRate = 16000)
    {
        var random = new Random(seed);
        var samples = new float[(int)Math.Round(seconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = amplitude * (float)((random.NextDouble() * 2) - 1);
        }

        return samples;
    }

    public static float[] Silence(double seconds, int sampleRate = 16000) => new float[(int)Math.Round(seconds * sampleRate)];

    public static float[] Concat(params float[][] parts) => parts.SelectMany(part => part).ToArray();

    public static double Rms(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var sample in samples)
        {
            sum += (double)sample * sample;
        }

        return samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
    }
}
