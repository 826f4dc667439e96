using System.Text;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>Test recordings made in code: 16-bit PCM WAV bytes of tones, noise and silence. No audio files are committed.</summary>
public static class GeneratedAudio
{
    public const int SampleRate = 16000;

    /// <summary>A 220 Hz tone whose loudness swells 3 times a second, loud enough to count as voiced.</summary>
    public static byte[] Tone(double seconds, double frequency = 220)
    {
        var samples = new short[(int)(seconds * SampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / SampleRate;
            var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 3 * t);
            samples[i] = (short)(0.3 * envelope * Math.Sin(2 * Math.PI * frequency * t) * short.MaxValue);
        }
        return Wav(samples);
    }

    public static byte[] Silence(double seconds) => Wav(new short[(int)(seconds * SampleRate)]);

    public static byte[] RandomBytes(int count, int seed = 7)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Wav(short[] samples, int sampleRate = SampleRate)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.ASCII);
        var dataBytes = samples.Length * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1);          // PCM
        writer.Write((short)1);          // mono
        writer.Write(sampleRate);
        writer.Write(sampleRate * 2);    // byte rate
        writer.Write((short)2);          // block align
        writer.Write((short)16);         // bits per sample
        writer.Write("data"u8);
        writer.Write(dataBytes);
        foreach (var sample in samples)
        {
            writer.Write(sample);
        }
        writer.Flush();
        return stream.ToArray();
    }
}
