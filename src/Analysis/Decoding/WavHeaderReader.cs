using System.Buffers.Binary;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Walks the RIFF chunks at the start of a WAV stream up to the data chunk, reading forward only (the recording may
/// come from a network stream). The bytes it consumed are kept, so a file it cannot decode can still be handed to
/// ffmpeg whole.
/// </summary>
internal static class WavHeaderReader
{
    private const int RiffHeaderLength = 12;
    private const int ChunkHeaderLength = 8;
    private const int MinimumFmtLength = 16;
    private const int ExtensibleFmtLength = 40;
    private const ushort ExtensibleFormat = 0xFFFE;

    /// <summary>Chunks before the data (LIST, bext, JUNK...) are small; a larger header is not a recording.</summary>
    private const int MaxHeaderBytes = 1 << 20;

    /// <exception cref="AudioRejectedException">corrupt_audio when the header is truncated or inconsistent.</exception>
    public static async Task<(WavHeader Header, byte[] Consumed)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var consumed = new MemoryStream();
        if (!await TryReadAsync(stream, consumed, RiffHeaderLength, cancellationToken))
        {
            throw Corrupt("The WAV file is too short to hold a header.");
        }

        byte[]? fmt = null;
        while (await TryReadAsync(stream, consumed, ChunkHeaderLength, cancellationToken))
        {
            var chunk = consumed.GetBuffer().AsSpan((int)consumed.Length - ChunkHeaderLength, ChunkHeaderLength);
            var isData = chunk[..4].SequenceEqual("data"u8);
            var isFmt = chunk[..4].SequenceEqual("fmt "u8);
            var declaredLength = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (isData)
            {
                return (Describe(fmt, consumed.Length, declaredLength), consumed.ToArray());
            }

            // Chunks are padded to an even length.
            var bodyLength = declaredLength + (declaredLength & 1);
            if (consumed.Length + bodyLength > MaxHeaderBytes)
            {
                throw Corrupt("The WAV header is larger than 1 MiB before any audio: it is damaged.");
            }

            var bodyStart = (int)consumed.Length;
            if (!await TryReadAsync(stream, consumed, (int)bodyLength, cancellationToken) && !isFmt)
            {
                break;
            }

            if (isFmt)
            {
                fmt = consumed.GetBuffer().AsSpan(bodyStart, (int)consumed.Length - bodyStart).ToArray();
            }
        }

        throw Corrupt("The WAV file has no data chunk (its header is truncated or damaged).");
    }

    private static WavHeader Describe(byte[]? fmt, long dataOffset, uint declaredDataLength)
    {
        if (fmt is null || fmt.Length < MinimumFmtLength)
        {
            throw Corrupt("The WAV file has no complete format chunk before its data.");
        }

        var span = fmt.AsSpan();
        var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(span[12..]);
        var bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(span[14..]);
        if (formatTag == ExtensibleFormat && span.Length >= ExtensibleFmtLength)
        {
            // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
            formatTag = BinaryPrimitives.ReadUInt16LittleEndian(span[24..]);
        }

        if (channels == 0 || sampleRate == 0 || sampleRate > int.MaxValue || blockAlign == 0)
        {
            throw Corrupt("The WAV header declares zero channels, a zero sample rate or a zero block size.");
        }

        // Recorders that were stopped before fixing up the header leave 0 or 0xFFFFFFFF: the data runs to the end.
        long? dataLength = declaredDataLength is 0 or uint.MaxValue ? null : declaredDataLength;
        return new WavHeader(formatTag, channels, (int)sampleRate, bitsPerSample, blockAlign, dataOffset, dataLength);
    }

    /// <summary>Appends exactly <paramref name="count"/> bytes to <paramref name="consumed"/>, or what is left at the end.</summary>
    private static async Task<bool> TryReadAsync(Stream stream, MemoryStream consumed, int count, CancellationToken cancellationToken)
    {
        var start = consumed.Length;
        consumed.SetLength(start + count);
        var read = await stream.ReadAtLeastAsync(consumed.GetBuffer().AsMemory((int)start, count), count, throwOnEndOfStream: false, cancellationToken);
        consumed.SetLength(start + read);
        return read == count;
    }

    private static AudioRejectedException Corrupt(string message) => new(ErrorCodes.CorruptAudio, message);
}
