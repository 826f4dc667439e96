namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>
/// A two-channel (or more) phone call with its answer known: speech clips, hold music and silence placed at chosen
/// times on each channel, a noise floor under everything. 16 kHz; levels are RMS dBFS. Used by the call tests and by
/// `Bench calls` (linked there) to build long calls.
/// </summary>
internal sealed class StereoCall
{
    public const int SampleRate = 16000;

    private readonly float[][] channels;
    private readonly List<(int Channel, double Start, double End)> speech = [];
    private readonly List<(double Start, double End)> music = [];

    public StereoCall(int channelCount, double seconds)
    {
        channels = Enumerable.Range(0, channelCount).Select(_ => new float[(int)Math.Round(seconds * SampleRate)]).ToArray();
    }

    public double DurationSeconds => channels[0].Length / (double)SampleRate;

    /// <summary>Where speech was put: (channel, start, end) in seconds.</summary>
    public IReadOnlyList<(int Channel, double Start, double End)> Speech => speech;

    public IReadOnlyList<(double Start, double End)> HoldMusic => music;

    public IReadOnlyList<float[]> Channels => channels;

    /// <summary>Puts <paramref name="clip"/> (cut to its speech) on <paramref name="channel"/> at <paramref name="atSeconds"/>; returns its end.</summary>
    public double Speak(int channel, float[] clip, double atSeconds, double rmsDbfs = -22)
    {
        var start = Place(channel, Scaled(clip, rmsDbfs), atSeconds);
        var end = start + (clip.Length / (double)SampleRate);
        speech.Add((channel, start, end));
        return end;
    }

    /// <summary>Hold music on <paramref name="channel"/>: a I–IV–V–I sequence of sine triads, half a second a chord.</summary>
    public double Music(int channel, double atSeconds, double seconds, double rmsDbfs = -24)
    {
        double[][] chords = [[261.6, 329.6, 392.0], [349.2, 440.0, 523.3], [392.0, 493.9, 587.3], [261.6, 329.6, 392.0]];
        var tone = new float[(int)Math.Round(seconds * SampleRate)];
        for (var i = 0; i < tone.Length; i++)
        {
            var chord = chords[i / (SampleRate / 2) % chords.Length];
            var t = i / (double)SampleRate;
            tone[i] = (float)chord.Sum(frequency => Math.Sin(2 * Math.PI * frequency * t));
        }
        Place(channel, Scaled(tone, rmsDbfs), atSeconds);
        music.Add((atSeconds, atSeconds + seconds));
        return atSeconds + seconds;
    }

    /// <summary>White noise at <paramref name="rmsDbfs"/> under every channel (each its own seed).</summary>
    public StereoCall Noise(double rmsDbfs, int seed = 7)
    {
        var gain = Math.Pow(10, rmsDbfs / 20) * Math.Sqrt(3);   // uniform [-1, 1] has RMS 1/√3
        for (var channel = 0; channel < channels.Length; channel++)
        {
            var random = new Random(seed + channel);
            var samples = channels[channel];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = Math.Clamp(samples[i] + (float)(((random.NextDouble() * 2) - 1) * gain), -1f, 1f);
            }
        }
        return this;
    }

    /// <summary>Frames interleaved, as a stereo WAV holds them.</summary>
    public float[] Interleaved()
    {
        var frames = channels[0].Length;
        var interleaved = new float[frames * channels.Length];
        for (var frame = 0; frame < frames; frame++)
        {
            for (var channel = 0; channel < channels.Length; channel++)
            {
                interleaved[(frame * channels.Length) + channel] = channels[channel][frame];
            }
        }
        return interleaved;
    }

    private double Place(int channel, float[] piece, double atSeconds)
    {
        var start = (int)Math.Round(atSeconds * SampleRate);
        piece.AsSpan(0, Math.Min(piece.Length, channels[channel].Length - start)).CopyTo(channels[channel].AsSpan(start));
        return start / (double)SampleRate;
    }

    private static float[] Scaled(float[] signal, double rmsDbfs)
    {
        var gain = Math.Pow(10, (rmsDbfs - GeneratedCall.RmsDbfs(signal)) / 20);
        return signal.Select(sample => (float)(sample * gain)).ToArray();
    }
}
