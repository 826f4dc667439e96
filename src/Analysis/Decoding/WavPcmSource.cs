using System.Buffers.Binary;
using SpeechEmotion.Analysis.Formats;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Streams the data chunk of a <see cref="WavHeader.IsManaged"/> WAV file, converting each sample format to float
/// exactly as ffmpeg does (s16 / 32768, G.711 by the standard's table), at the file's own rate.
/// </summary>
internal sealed class WavPcmSource(Stream stream, WavHeader header) : PcmSource
{
    private const int ChunkBytes = 64 * 1024;

    private readonly byte[] buffer = new byte[ChunkBytes - (ChunkBytes % header.BlockAlign)];
    private long remainingBytes = header.DataLength ?? long.MaxValue;

    public override RecordingFacts Facts { get; } =
        new(AudioFormat.Wav, header.CodecName, header.SampleRate, header.Channels, header.Duration);

    public override int SampleRate => header.SampleRate;

    public override async ValueTask<int> ReadAsync(float[][] destination, int maxFrames, CancellationToken cancellationToken)
    {
        var wanted = (int)Math.Min(Math.Min(maxFrames * (long)header.BlockAlign, buffer.Length), remainingBytes);
        // Reads all it asks for except at the end. A cut-off file holds less than its header declares: like ffmpeg,
        // decode what is there (a trailing partial frame is dropped).
        var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, wanted), wanted, throwOnEndOfStream: false, cancellationToken);
        var frames = read / header.BlockAlign;
        remainingBytes = read < wanted ? 0 : remainingBytes - read;
        for (var channel = 0; channel < header.Channels; channel++)
        {
            var first = buffer.AsSpan(channel * header.BitsPerSample / 8);
            Convert(first, header.BlockAlign, destination[channel].AsSpan(0, frames));
        }

        return frames;
    }

    /// <summary>One loop per sample format: the format is decided once per chunk, not once per sample.</summary>
    private void Convert(ReadOnlySpan<byte> data, int stride, Span<float> samples)
    {
        switch (header.FormatTag, header.BitsPerSample)
        {
            case (WavHeader.PcmFormat, 8):
                for (var i = 0; i < samples.Length; i++) samples[i] = (data[i * stride] - 128) / 128f;
                break;
            case (WavHeader.PcmFormat, 16):
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(i * stride)..]) / 32768f;
                break;
            case (WavHeader.PcmFormat, 24):
                for (var i = 0; i < samples.Length; i++)
                {
                    var at = i * stride;
                    samples[i] = ((data[at + 2] << 24 | data[at + 1] << 16 | data[at] << 8) >> 8) / 8388608f;
                }

                break;
            case (WavHeader.PcmFormat, _):
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * stride)..]) / 2147483648f;
                break;
            case (WavHeader.FloatFormat, 32):
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * stride)..]);
                break;
            case (WavHeader.FloatFormat, _):
                for (var i = 0; i < samples.Length; i++) samples[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * stride)..]);
                break;
            case (WavHeader.MuLawFormat, _):
                for (var i = 0; i < samples.Length; i++) samples[i] = G711.MuLaw[data[i * stride]];
                break;
            default:
                for (var i = 0; i < samples.Length; i++) samples[i] = G711.ALaw[data[i * stride]];
                break;
        }
    }
}
