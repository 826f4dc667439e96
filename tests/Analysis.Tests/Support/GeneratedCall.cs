namespace SpeechEmotion.Analysis.Tests.Support;

public enum NoiseColour
{
    White,
    Pink,
}

/// <summary>A stretch of a generated call, in samples at 16 kHz: [Start, End).</summary>
public readonly record struct Span16k(long Start, long End)
{
    public double StartSeconds => Start / 16000.0;

    public double EndSeconds => End / 16000.0;
}

/// <summary>
/// A phone call put together piece by piece with its answer known: pauses, speech clips and hold music laid end to end,
/// then a noise floor under all of it. Used by the voice activity tests and by `Bench vad` (linked there), so both
/// score detectors against the same construction. 16 kHz mono; levels are RMS in dBFS (10·log10 of the mean square).
/// </summary>
internal sealed class GeneratedCall
{
    public const int SampleRate = 16000;

    private readonly List<float> samples = [];
    private readonly List<Span16k> speech = [];
    private readonly List<Span16k> holdMusic = [];
    private readonly List<Span16k> pauses = [];

    /// <summary>Where speech was put; every sample of a speech clip counts (clips are cut to their speech first).</summary>
    public IReadOnlyList<Span16k> Speech => speech;

    public IReadOnlyList<Span16k> HoldMusic => holdMusic;

    public IReadOnlyList<Span16k> Pauses => pauses;

    public long Length => samples.Count;

    public GeneratedCall Pause(double seconds)
    {
        pauses.Add(Append(new float[(int)Math.Round(seconds * SampleRate)]));
        return this;
    }

    /// <summary>A speech clip scaled to <paramref name="rmsDbfs"/>.</summary>
    public GeneratedCall Speak(float[] clip, double rmsDbfs)
    {
        speech.Add(Append(Scaled(clip, rmsDbfs)));
        return this;
    }

    /// <summary>Hold music: a I–IV–V–I chord sequence of sine triads, half a second a chord, with soft attacks.</summary>
    public GeneratedCall Music(double seconds, double rmsDbfs)
    {
        double[][] chords = [[261.6, 329.6, 392.0], [349.2, 440.0, 523.3], [392.0, 493.9, 587.3], [261.6, 329.6, 392.0]];
        var music = new float[(int)Math.Round(seconds * SampleRate)];
        var chordLength = SampleRate / 2;
        for (var i = 0; i < music.Length; i++)
        {
            var chord = chords[i / chordLength % chords.Length];
            var inChord = (i % chordLength) / (double)chordLength;
            var envelope = Math.Min(1, inChord * 20) * (1 - (0.5 * inChord));
            var t = i / (double)SampleRate;
            music[i] = (float)(envelope * chord.Sum(frequency => Math.Sin(2 * Math.PI * frequency * t)));
        }

        holdMusic.Add(Append(Scaled(music, rmsDbfs)));
        return this;
    }

    /// <summary>The call with a noise floor of <paramref name="noiseDbfs"/> under it (no noise at −∞).</summary>
    public float[] Render(double noiseDbfs, NoiseColour colour, int seed = 1)
    {
        var call = samples.ToArray();
        if (double.IsNegativeInfinity(noiseDbfs))
        {
            return call;
        }

        var noise = Scaled(colour == NoiseColour.White ? White(call.Length, seed) : Pink(call.Length, seed), noiseDbfs);
        for (var i = 0; i < call.Length; i++)
        {
            call[i] = Math.Clamp(call[i] + noise[i], -1f, 1f);
        }

        return call;
    }

    /// <summary>
    /// The speech of a clean clip, conservatively: from the first to the last 20 ms frame within 30 dB of its loudest
    /// frame, no margin (acted clips carry a second of room tone at both ends, which must not count as speech).
    /// </summary>
    public static float[] CutToSpeech(float[] clip)
    {
        const int frame = 320;
        var energies = Enumerable.Range(0, clip.Length / frame)
            .Select(index => clip.AsSpan(index * frame, frame).ToArray().Average(sample => (double)sample * sample)).ToArray();
        if (energies.Length == 0)
        {
            return [];
        }

        var threshold = energies.Max() / 1000;
        var first = Array.FindIndex(energies, energy => energy >= threshold);
        var last = Array.FindLastIndex(energies, energy => energy >= threshold);
        return clip[(first * frame)..((last + 1) * frame)];
    }

    public static double RmsDbfs(ReadOnlySpan<float> signal)
    {
        var sum = 0.0;
        foreach (var sample in signal)
        {
            sum += (double)sample * sample;
        }

        return 10 * Math.Log10(sum / Math.Max(signal.Length, 1));
    }

    private Span16k Append(float[] piece)
    {
        var start = samples.Count;
        samples.AddRange(piece);
        return new Span16k(start, samples.Count);
    }

    private static float[] Scaled(float[] signal, double rmsDbfs)
    {
        var gain = Math.Pow(10, (rmsDbfs - RmsDbfs(signal)) / 20);
        return signal.Select(sample => (float)(sample * gain)).ToArray();
    }

    private static float[] White(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    /// <summary>Pink (1/f) noise by Paul Kellet's economy filter over white noise.</summary>
    private static float[] Pink(int length, int seed)
    {
        var white = White(length, seed);
        var pink = new float[length];
        double b0 = 0, b1 = 0, b2 = 0;
        for (var i = 0; i < length; i++)
        {
            b0 = (0.99765 * b0) + (white[i] * 0.0990460);
            b1 = (0.96300 * b1) + (white[i] * 0.2965164);
            b2 = (0.57000 * b2) + (white[i] * 1.0526913);
            pink[i] = (float)(b0 + b1 + b2 + (white[i] * 0.1848));
        }

        return pink;
    }
}
