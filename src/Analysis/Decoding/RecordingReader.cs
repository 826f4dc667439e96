using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Reads a recording of any length as successive <see cref="AudioBlock"/>s of 16 kHz float32, per channel or mixed,
/// in constant memory. The one decoding path of the service: PCM, float and G.711 WAV at any rate in managed code
/// (resampled by <see cref="StreamingResampler"/>), MP3 by NLayer, everything else by one ffmpeg process.
/// </summary>
internal sealed class RecordingReader : IAsyncDisposable
{
    public const int SampleRate = 16000;

    /// <summary>Frames asked of the decoder per step: 0.25 s at 16 kHz; small, so memory stays flat.</summary>
    private const int SourceChunkFrames = 4096;

    private readonly PcmSource source;
    private readonly RecordingReaderOptions options;
    private readonly Stream? ownedStream;
    private readonly float[][] sourceChunk;
    private readonly float[] mixed;
    private readonly StreamingResampler[]? resamplers;
    private readonly long? maxFrames;

    private int chunkFrames;
    private int chunkOffset;
    private bool sourceEnded;
    private long framesRead;

    private RecordingReader(PcmSource source, RecordingReaderOptions options, Stream? ownedStream)
    {
        this.source = source;
        this.options = options;
        this.ownedStream = ownedStream;
        Channels = options.Channels == ChannelMode.Mix ? 1 : source.Channels;
        sourceChunk = Enumerable.Range(0, source.Channels).Select(_ => new float[SourceChunkFrames]).ToArray();
        mixed = new float[SourceChunkFrames];
        if (source.SampleRate != SampleRate)
        {
            resamplers = Enumerable.Range(0, Channels).Select(_ => new StreamingResampler(source.SampleRate, SampleRate)).ToArray();
        }

        maxFrames = options.MaxDuration is { } max ? (long)Math.Round(max.TotalSeconds * SampleRate) : null;
    }

    /// <summary>The source as it was: format, codec, rate, channels, declared duration.</summary>
    public RecordingFacts Source => source.Facts;

    /// <summary>Channels in each block: the source's, or 1 when mixing.</summary>
    public int Channels { get; }

    /// <summary>16 kHz frames handed out so far.</summary>
    public long FramesRead => framesRead;

    /// <summary>
    /// Opens <paramref name="recording"/> (read forward only, never whole: it may stream from the recording store).
    /// The stream stays the caller's.
    /// </summary>
    /// <exception cref="AudioRejectedException">corrupt_audio, or too_long when the header already says so.</exception>
    public static Task<RecordingReader> OpenAsync(
        Stream recording, AudioFormat format, RecordingReaderOptions options, CancellationToken cancellationToken) =>
        OpenAsync(recording, path: null, format, options, ownsStream: false, cancellationToken);

    /// <summary>Opens a file; the format comes from its extension, checked against its first bytes.</summary>
    /// <exception cref="AudioRejectedException">unsupported_format, corrupt_audio, or too_long as above.</exception>
    public static async Task<RecordingReader> OpenFileAsync(string path, RecordingReaderOptions options, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);
        try
        {
            var header = new byte[64];
            var length = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            var format = AudioFormatSniffer.Detect(path, header.AsSpan(0, length));
            file.Position = 0;
            return await OpenAsync(file, Path.GetFullPath(path), format, options, ownsStream: true, cancellationToken);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>A block that holds <paramref name="frames"/> frames of every channel this reader produces.</summary>
    public AudioBlock CreateBlock(int frames) => new(Channels, frames);

    /// <summary>
    /// Fills <paramref name="block"/> with the next frames; false when the recording has ended (block.Frames is then 0).
    /// Every block is full except the last.
    /// </summary>
    /// <exception cref="AudioRejectedException">corrupt_audio mid-stream, or too_long past MaxDuration.</exception>
    public async ValueTask<bool> ReadAsync(AudioBlock block, CancellationToken cancellationToken)
    {
        if (block.ChannelCount != Channels)
        {
            throw new ArgumentException($"The block has {block.ChannelCount} channels; this reader produces {Channels}.", nameof(block));
        }

        block.StartFrame = framesRead;
        var filled = 0;
        while (filled < block.Capacity)
        {
            var produced = Drain(block, filled);
            filled += produced;
            if (produced == 0 && !await RefillAsync(cancellationToken))
            {
                break;
            }
        }

        block.Frames = filled;
        framesRead += filled;
        if (framesRead > maxFrames)
        {
            throw TooLong(options);
        }

        return filled > 0;
    }

    public async ValueTask DisposeAsync()
    {
        await source.DisposeAsync();
        if (ownedStream is not null)
        {
            await ownedStream.DisposeAsync();
        }
    }

    private static async Task<RecordingReader> OpenAsync(
        Stream stream, string? path, AudioFormat format, RecordingReaderOptions options, bool ownsStream, CancellationToken cancellationToken)
    {
        var source = await OpenSourceAsync(stream, path, format, options, cancellationToken);
        return new RecordingReader(source, options, ownsStream ? stream : null);
    }

    /// <summary>Picks the decoder: managed where one exists for this exact shape, ffmpeg otherwise.</summary>
    private static async Task<PcmSource> OpenSourceAsync(
        Stream stream, string? path, AudioFormat format, RecordingReaderOptions options, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case AudioFormat.Mp3:
                return Mp3PcmSource.Open(stream);
            case AudioFormat.Wav:
                var (header, consumed) = await WavHeaderReader.ReadAsync(stream, cancellationToken);
                // The header already knows the duration: refuse a long file before decoding a single sample.
                if (header.Duration > options.MaxDuration)
                {
                    throw TooLong(options);
                }

                if (header.IsManaged && StreamingResampler.Supports(header.SampleRate, SampleRate))
                {
                    return new WavPcmSource(stream, header);
                }

                // ffmpeg gets the whole file: the header bytes already read, then the rest of the stream.
                return await FfmpegPcmSource.StartAsync(path is null ? new PrefixedStream(consumed, stream) : null, path, format, options, cancellationToken);
            default:
                return await FfmpegPcmSource.StartAsync(path is null ? stream : null, path, format, options, cancellationToken);
        }
    }

    private static AudioRejectedException TooLong(RecordingReaderOptions options) => new(ErrorCodes.TooLong,
        $"The recording is longer than the {options.MaxDuration!.Value.TotalSeconds:0.##} s allowed.");

    /// <summary>Copies resampled (or, at 16 kHz already, plain) output into the block; returns frames copied.</summary>
    private int Drain(AudioBlock block, int filled)
    {
        var room = block.Capacity - filled;
        if (resamplers is not null)
        {
            var produced = 0;
            for (var channel = 0; channel < Channels; channel++)
            {
                produced = resamplers[channel].Pull(block.Writable(channel, filled)[..room]);
            }

            return produced;
        }

        var count = Math.Min(room, chunkFrames - chunkOffset);
        for (var channel = 0; channel < Channels; channel++)
        {
            ChannelOfChunk(channel).Slice(chunkOffset, count).CopyTo(block.Writable(channel, filled));
        }

        chunkOffset += count;
        return count;
    }

    /// <summary>Decodes the next chunk of the source; false when the source has ended and everything is out.</summary>
    private async ValueTask<bool> RefillAsync(CancellationToken cancellationToken)
    {
        if (sourceEnded)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        chunkFrames = await source.ReadAsync(sourceChunk, SourceChunkFrames, cancellationToken);
        chunkOffset = 0;
        if (chunkFrames == 0)
        {
            sourceEnded = true;
            foreach (var resampler in resamplers ?? [])
            {
                resampler.Finish();
            }

            // The resamplers may still hold the last few outputs.
            return resamplers is not null;
        }

        if (options.Channels == ChannelMode.Mix && source.Channels > 1)
        {
            Mix(chunkFrames);
        }

        for (var channel = 0; resamplers is not null && channel < Channels; channel++)
        {
            resamplers[channel].Push(ChannelOfChunk(channel)[..chunkFrames]);
        }

        return true;
    }

    private Span<float> ChannelOfChunk(int channel) =>
        options.Channels == ChannelMode.Mix && source.Channels > 1 ? mixed : sourceChunk[channel];

    /// <summary>The average of all channels (as training's decoder and the ffmpeg path before did).</summary>
    private void Mix(int frames)
    {
        var weight = 1f / source.Channels;
        Array.Clear(mixed, 0, frames);
        foreach (var channel in sourceChunk)
        {
            for (var frame = 0; frame < frames; frame++)
            {
                mixed[frame] += channel[frame] * weight;
            }
        }
    }
}
