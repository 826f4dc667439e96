using System.Buffers.Binary;

namespace SpeechEmotion.TestSupport.Audio;

/// <summary>
/// Canonical RIFF/WAVE bytes (the 44-byte header, then little-endian samples) for the recordings tests make in code;
/// no audio file is committed. Samples are interleaved when there is more than one channel.
/// </summary>
public static class WavWriter
{
    /// <summary>16-bit PCM: each float in [-1, 1] (clamped) scaled by 32767 and rounded.</summary>
    public static byte[] Pcm16(ReadOnlySpan<float> interleaved, int sampleRate, int channels = 1)
    {
        var wav = Header(formatTag: 1, bytesPerSample: 2, interleaved.Length, sampleRate, channels);
        var data = wav.AsSpan(HeaderLength);
        for (var i = 0; i < interleaved.Length; i++)
        {
            var sample = Math.Clamp(interleaved[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(data[(2 * i)..], (short)Math.Round(sample * short.MaxValue));
        }
        return wav;
    }

    /// <summary>16-bit PCM from samples already quantised.</summary>
    public static byte[] Pcm16(ReadOnlySpan<short> interleaved, int sampleRate, int channels = 1)
    {
        var wav = Header(formatTag: 1, bytesPerSample: 2, interleaved.Length, sampleRate, channels);
        var data = wav.AsSpan(HeaderLength);
        for (var i = 0; i < interleaved.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data[(2 * i)..], interleaved[i]);
        }
        return wav;
    }

    /// <summary>32-bit IEEE float, the samples exactly as given: NaN, infinities and values past full scale included.</summary>
    public static byte[] Float32(ReadOnlySpan<float> interleaved, int sampleRate, int channels = 1)
    {
        var wav = Header(formatTag: 3, bytesPerSample: 4, interleaved.Length, sampleRate, channels);
        var data = wav.AsSpan(HeaderLength);
        for (var i = 0; i < interleaved.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], interleaved[i]);
        }
        return wav;
    }

    private const int HeaderLength = 44;

    private static byte[] Header(short formatTag, int bytesPerSample, int sampleCount, int sampleRate, int channels)
    {
        var dataLength = sampleCount * bytesPerSample;
        var wav = new byte[HeaderLength + dataLength];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataLength);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], formatTag);                                  // 1 PCM, 3 IEEE float
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * channels * bytesPerSample);     // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], (short)(channels * bytesPerSample));         // block align
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], (short)(bytesPerSample * 8));                // bits per sample
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataLength);
        return wav;
    }
}
