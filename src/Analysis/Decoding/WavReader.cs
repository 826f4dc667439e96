using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Managed decoder for plain PCM WAV: walks the RIFF chunks and converts the data chunk straight from the upload's
/// bytes, so the common case costs one pass over memory and no process spawn. It converts exactly as ffmpeg does
/// (s16 / 32768, stereo averaged), so both paths feed the model identical samples.
/// </summary>
internal static class WavReader
{
    private const int RiffHeaderLength = 12;
    private const int ChunkHeaderLength = 8;
    private const int MinimumFmtLength = 16;
    private const int ExtensibleFmtLength = 40;
    private const ushort ExtensibleFormat = 0xFFFE;

    /// <exception cref="AudioRejectedException">corrupt_audio when the header is truncated or inconsistent.</exception>
    public static WavHeader ReadHeader(ReadOnlySpan<byte> file)
    {
        ReadOnlySpan<byte> fmt = default;
        var offset = RiffHeaderLength;
        while (offset + ChunkHeaderLength <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var declaredLength = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(offset + 4, 4));
            var bodyOffset = offset + ChunkHeaderLength;
            // Streamed or cut-off files declare more data than they hold: like ffmpeg, use what is there.
            var available = file.Length - bodyOffset;
            var length = (int)Math.Min(declaredLength, (uint)available);

            if (id.SequenceEqual("fmt "u8))
            {
                fmt = file.Slice(bodyOffset, length);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return Describe(fmt, bodyOffset, length);
            }

            // Chunks are padded to an even length.
            offset = bodyOffset + length + (length & 1);
        }

        throw Corrupt("The WAV file has no data chunk (its header is truncated or damaged).");
    }

    /// <summary>
    /// Converts the data chunk of a <see cref="WavHeader.IsManagedFastPath"/> file to 16 kHz mono float32. The bytes
    /// are reinterpreted in place: WAV is little-endian, like every platform the service runs on.
    /// </summary>
    public static float[] DecodeSamples(ReadOnlySpan<byte> file, WavHeader header)
    {
        var frames = (int)header.FrameCount;
        var data = file.Slice(header.DataOffset, frames * header.BlockAlign);
        var samples = new float[frames];
        if (header.FormatTag == WavHeader.PcmFormat)
        {
            ConvertPcm16(MemoryMarshal.Cast<byte, short>(data), header.Channels, samples);
        }
        else
        {
            ConvertFloat32(MemoryMarshal.Cast<byte, float>(data), header.Channels, samples);
        }

        return samples;
    }

    private static WavHeader Describe(ReadOnlySpan<byte> fmt, int dataOffset, int dataLength)
    {
        if (fmt.Length < MinimumFmtLength)
        {
            throw Corrupt("The WAV file has no complete format chunk before its data.");
        }

        var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (formatTag == ExtensibleFormat && fmt.Length >= ExtensibleFmtLength)
        {
            // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
            formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (channels == 0 || sampleRate == 0 || sampleRate > int.MaxValue || blockAlign == 0)
        {
            throw Corrupt("The WAV header declares zero channels, a zero sample rate or a zero block size.");
        }

        return new WavHeader(formatTag, channels, (int)sampleRate, bitsPerSample, blockAlign, dataOffset, dataLength);
    }

    private static void ConvertPcm16(ReadOnlySpan<short> pcm, int channels, Span<float> samples)
    {
        const float scale = 1f / 32768f;
        if (channels == 1)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = pcm[i] * scale;
            }

            return;
        }

        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (pcm[2 * i] * scale * 0.5f) + (pcm[(2 * i) + 1] * scale * 0.5f);
        }
    }

    private static void ConvertFloat32(ReadOnlySpan<float> pcm, int channels, Span<float> samples)
    {
        if (channels == 1)
        {
            pcm[..samples.Length].CopyTo(samples);
            return;
        }

        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (pcm[2 * i] * 0.5f) + (pcm[(2 * i) + 1] * 0.5f);
        }
    }

    private static AudioRejectedException Corrupt(string message) => new(ErrorCodes.CorruptAudio, message);
}
