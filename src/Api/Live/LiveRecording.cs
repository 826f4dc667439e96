using System.Buffers.Binary;
using System.Security.Cryptography;
using SpeechEmotion.Analysis.Calls;

namespace SpeechEmotion.Api.Live;

/// <summary>
/// A live stream written, as it arrives, to a WAV file in the upload folder (<c>?record=true</c>): μ-law or 16-bit
/// PCM at the stream's rate, one channel per track, interleaved. Tracks arrive as separate messages, so each
/// track's samples wait until every track has reached the same point; a track that falls more than
/// <see cref="MaxLeadSeconds"/> behind is written as silence there (its late samples are then dropped), which bounds
/// the memory. The header's sizes are written at <see cref="FinishAsync"/>.
/// </summary>
internal sealed class LiveRecording : IAsyncDisposable
{
    private const double MaxLeadSeconds = 2;

    private readonly FileStream file;
    private readonly LiveAudioFormat format;
    private readonly List<byte>[] waiting;
    private readonly long[] toSkip;
    private readonly int maxLeadBytes;
    private long dataBytes;

    public LiveRecording(string path, LiveAudioFormat format)
    {
        this.format = format;
        file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        waiting = Enumerable.Range(0, format.Channels).Select(_ => new List<byte>()).ToArray();
        toSkip = new long[format.Channels];
        maxLeadBytes = (int)(MaxLeadSeconds * format.SampleRate) * format.BytesPerSample;
        file.Write(Header(0));
    }

    public long SizeBytes => file.Length;

    /// <summary>Samples of one track.</summary>
    public void Append(int channel, ReadOnlySpan<byte> samples)
    {
        var skipped = (int)Math.Min(toSkip[channel], samples.Length);
        toSkip[channel] -= skipped;
        waiting[channel].AddRange(samples[skipped..]);
        if (waiting[channel].Count > maxLeadBytes)
        {
            PadBehind(waiting[channel].Count - maxLeadBytes, dropLateSamples: true);
        }
        WriteCompleteFrames();
    }

    /// <summary>Frames of every track, already interleaved (raw PCM streams).</summary>
    public void AppendInterleaved(ReadOnlySpan<byte> frames)
    {
        file.Write(frames);
        dataBytes += frames.Length;
    }

    /// <summary>
    /// Writes what waits (shorter tracks filled with silence), fixes the header, and returns the file at its start with
    /// its SHA-256; the file is deleted when disposed.
    /// </summary>
    public async Task<(FileStream File, string Sha256)> FinishAsync(CancellationToken cancellationToken)
    {
        PadBehind(waiting.Max(w => w.Count), dropLateSamples: false);
        WriteCompleteFrames();
        var blockAlign = format.BytesPerSample * format.Channels;
        dataBytes -= dataBytes % blockAlign;   // a raw stream's last partial frame is not audio
        file.SetLength(Header(0).Length + dataBytes);
        file.Position = 0;
        file.Write(Header(dataBytes));
        await file.FlushAsync(cancellationToken);
        file.Position = 0;
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        file.Position = 0;
        return (file, hash);
    }

    public ValueTask DisposeAsync() => file.DisposeAsync();

    /// <summary>Every other track is filled with silence up to <paramref name="point"/> bytes; its own samples for that stretch, arriving later, are dropped.</summary>
    private void PadBehind(int point, bool dropLateSamples)
    {
        for (var channel = 0; channel < waiting.Length; channel++)
        {
            var missing = point - waiting[channel].Count;
            if (missing <= 0)
            {
                continue;
            }
            waiting[channel].AddRange(Enumerable.Repeat(format.SilenceByte, missing));
            if (dropLateSamples)
            {
                toSkip[channel] += missing;
            }
        }
    }

    private void WriteCompleteFrames()
    {
        var frames = waiting.Min(w => w.Count) / format.BytesPerSample;
        if (frames == 0)
        {
            return;
        }
        var size = format.BytesPerSample;
        var buffer = new byte[frames * size * waiting.Length];
        for (var frame = 0; frame < frames; frame++)
        {
            for (var channel = 0; channel < waiting.Length; channel++)
            {
                for (var b = 0; b < size; b++)
                {
                    buffer[(((frame * waiting.Length) + channel) * size) + b] = waiting[channel][(frame * size) + b];
                }
            }
        }
        foreach (var track in waiting)
        {
            track.RemoveRange(0, frames * size);
        }
        file.Write(buffer);
        dataBytes += buffer.Length;
    }

    /// <summary>A canonical RIFF/WAVE header: fmt (μ-law tag 7 with an empty extension, or PCM tag 1), then data.</summary>
    private byte[] Header(long dataLength)
    {
        var muLaw = format.Encoding == LiveEncoding.MuLaw;
        var fmtLength = muLaw ? 18 : 16;
        var header = new byte[12 + 8 + fmtLength + 8];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)Math.Min(uint.MaxValue, header.Length - 8 + dataLength));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)fmtLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], (ushort)(muLaw ? 7 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(format.SampleRate * format.BytesPerSample * format.Channels));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(format.BytesPerSample * format.Channels));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(format.BytesPerSample * 8));
        "data"u8.CopyTo(span[(20 + fmtLength)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(24 + fmtLength)..], (uint)Math.Min(uint.MaxValue, dataLength));
        return header;
    }
}
