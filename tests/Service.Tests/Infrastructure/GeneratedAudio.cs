using SpeechEmotion.TestSupport.Audio;

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

    public static byte[] Wav(short[] samples, int sampleRate = SampleRate) => WavWriter.Pcm16(samples, sampleRate);

    /// <summary>32-bit float WAV with the samples exactly as given: NaN, infinities and values past full scale included.</summary>
    public static byte[] FloatWav(float[] samples, int sampleRate = SampleRate) => WavWriter.Float32(samples, sampleRate);
}
