using System.Text;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>Test recordings made in code: 16-bit PCM (or float) WAV bytes of tones, noise and silence. No audio files are committed.</summary>
public static class GeneratedAudio
{
    public const int SampleRate = 16000;

    /// <summary>A 220 Hz tone whose loudness swells 3 times a second, loud enough to count as voiced.</summary>
    public static byte[] Tone(double seconds, double frequency = 220) =>
        Wav(ToneSamples(seconds, frequency).Select(sample => (short)(sample * short.MaxValue)).ToArray());

    /// <summary>The samples of <see cref="Tone"/>, in [-1, 1].</summary>
    public static float[] ToneSamples(double seconds, double frequency = 220)
    {
        var samples = new float[(int)(seconds * SampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / SampleRate;
            var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 3 * t);
            samples[i] = (float)(0.3 * envelope * Math.Sin(2 * Math.PI * frequency * t));
        }
        return samples;
    }

    public static byte[] Silence(double seconds) => Wav(new short[(int)(seconds * SampleRate)]);

    public static byte[] RandomBytes(int count, int seed = 7)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Wav(short[] samples, int sampleRate = SampleRate) =>
        Wav(formatTag: 1, bytesPerSample: 2, samples.Length, sampleRate, writer => Array.ForEach(samples, writer.Write));

    /// <summary>32-bit float WAV with the samples exactly as given: NaN, infinities and values past full scale included.</summary>
    public static byte[] FloatWav(float[] samples, int sampleRate = SampleRate) =>
        Wav(formatTag: 3, bytesPerSample: 4, samples.Length, sampleRate, writer => Array.ForEach(samples, writer.Write));

    private static byte[] Wav(short formatTag, short bytesPerSample, int sampleCount, int sampleRate, Action<BinaryWriter> writeSamples)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.ASCII);
        var dataBytes = sampleCount * bytesPerSample;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write(formatTag);                    // 1 PCM, 3 IEEE float
        writer.Write((short)1);                     // mono
        writer.Write(sampleRate);
        writer.Write(sampleRate * bytesPerSample);  // byte rate
        writer.Write(bytesPerSample);               // block align
        writer.Write((short)(bytesPerSample * 8));  // bits per sample
        writer.Write("data"u8);
        writer.Write(dataBytes);
        writeSamples(writer);
        writer.Flush();
        return stream.ToArray();
    }
}
