using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.Analysis.Tests.Support;

public enum WavEncoding
{
    Pcm16,
    Float32,
}

/// <summary>Analysis tests' view of the shared <see cref="WavWriter"/>: one signal into every channel, or two channels apart.</summary>
internal static class TestWavWriter
{
    public static byte[] Write(float[] samples, int sampleRate = 16000, int channels = 1, WavEncoding encoding = WavEncoding.Pcm16) =>
        WriteInterleaved(Interleave(samples, channels), sampleRate, channels, encoding);

    /// <summary>Channels given separately (for stereo tests where left and right differ).</summary>
    public static byte[] WriteStereo(float[] left, float[] right, int sampleRate = 16000, WavEncoding encoding = WavEncoding.Pcm16)
    {
        var interleaved = new float[left.Length * 2];
        for (var i = 0; i < left.Length; i++)
        {
            interleaved[2 * i] = left[i];
            interleaved[(2 * i) + 1] = right[i];
        }

        return WriteInterleaved(interleaved, sampleRate, 2, encoding);
    }

    private static float[] Interleave(float[] samples, int channels)
    {
        var interleaved = new float[samples.Length * channels];
        for (var i = 0; i < interleaved.Length; i++)
        {
            interleaved[i] = samples[i / channels];
        }

        return interleaved;
    }

    private static byte[] WriteInterleaved(float[] interleaved, int sampleRate, int channels, WavEncoding encoding) =>
        encoding == WavEncoding.Pcm16
            ? WavWriter.Pcm16(interleaved, sampleRate, channels)
            // Float WAV holds any float, past full scale, NaN and infinities included: written exactly as given.
            : WavWriter.Float32(interleaved, sampleRate, channels);
}
