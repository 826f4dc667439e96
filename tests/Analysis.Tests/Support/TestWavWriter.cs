using System.Buffers.Binary;
using System.Text;

namespace SpeechEmotion.Analysis.Tests.Support;

public enum WavEncoding
{
    Pcm16,
    Float32,
}

/// <summary>Writes canonical RIFF/WAVE bytes; interleaves one signal into every channel.</summary>
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

    private static byte[] WriteInterleaved(float[] interleaved, int sampleRate, int channels, WavEncoding encoding)
    {
        var bytesPerSample = encoding == WavEncoding.Pcm16 ? 2 : 4;
        var dataLength = interleaved.Length * bytesPerSample;
        var wav = new byte[44 + dataLength];
        var span = wav.AsSpan();
        Encoding.ASCII.GetBytes("RIFF").CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataLength));
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], (ushort)(encoding == WavEncoding.Pcm16 ? 1 : 3));
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(bytesPerSample * 8));
        Encoding.ASCII.GetBytes("data").CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataLength);

        var data = span[44..];
        for (var i = 0; i < interleaved.Length; i++)
        {
            if (encoding == WavEncoding.Pcm16)
            {
                var sample = Math.Clamp(interleaved[i], -1f, 1f);
                BinaryPrimitives.WriteInt16LittleEndian(data[(2 * i)..], (short)Math.Round(sample * 32767));
            }
            else
            {
                // Float WAV holds any float, past full scale, NaN and infinities included: written exactly as given.
                BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], interleaved[i]);
            }
        }

        return wav;
    }
}
