namespace SpeechEmotion.Cli.Audio;

/// <summary>
/// The "recording in a room" variation of issue 10: the clip with a random stretch (0.5–2 s) of silence before and
/// after, and room noise under the whole of it at a fixed level. Room noise is training's pink-ish noise
/// (training/audio.py, add_noise: white Gaussian noise through 1 / (1 − 0.95 z⁻¹)), which has a room's low-frequency
/// weight. Levels are RMS in dBFS with a full-scale square wave at 0 dBFS, the service's convention.
/// </summary>
public static class RoomNoise
{
    public const double MinPadSeconds = 0.5;
    public const double MaxPadSeconds = 2.0;

    /// <summary>The silence lengths before and after, drawn from <paramref name="random"/>.</summary>
    public static (int Before, int After) DrawPadding(Random random, int sampleRate = WavFile.ServiceSampleRate) =>
        (PadLength(random, sampleRate), PadLength(random, sampleRate));

    /// <summary>
    /// <paramref name="clip"/> between <paramref name="padding"/> samples of silence, plus noise at
    /// <paramref name="levelDbfs"/> under all of it. The same <paramref name="noiseSeed"/> gives the same noise, so the
    /// levels of one clip differ only in loudness.
    /// </summary>
    public static float[] PadWithNoise(float[] clip, (int Before, int After) padding, double levelDbfs, int noiseSeed)
    {
        var result = new float[padding.Before + clip.Length + padding.After];
        clip.CopyTo(result, padding.Before);
        var noise = Noise(result.Length, levelDbfs, noiseSeed);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] += noise[i];
        }

        return result;
    }

    /// <summary>Pink-ish noise of exactly <paramref name="levelDbfs"/> RMS.</summary>
    public static float[] Noise(int length, double levelDbfs, int seed)
    {
        var random = new Random(seed);
        var noise = new double[length];
        var previous = 0.0;
        for (var i = 0; i < length; i++)
        {
            previous = Gaussian(random) + (0.95 * previous);
            noise[i] = previous;
        }

        var rms = Math.Sqrt(noise.Sum(value => value * value) / Math.Max(length, 1));
        var scale = rms == 0 ? 0 : Math.Pow(10, levelDbfs / 20) / rms;
        return noise.Select(value => (float)(value * scale)).ToArray();
    }

    private static int PadLength(Random random, int sampleRate) =>
        (int)Math.Round((MinPadSeconds + (random.NextDouble() * (MaxPadSeconds - MinPadSeconds))) * sampleRate);

    /// <summary>Box–Muller: System.Random has no normal distribution.</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
