using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Turns a short upload into one 16 kHz mono float32 array, read through <see cref="RecordingReader"/> (the same
/// decoders the service's <see cref="Calls.CallAnalyzer"/> streams through). For tools that build something else
/// than the service's analysis from the samples: the robustness variations and the untrimmed row of
/// <c>speechemotion evaluate</c>, the windows of a call. Guarantees the result is at most MaxDuration long, at least
/// MinDuration, with samples finite and within <see cref="SampleRange"/> (the reader checks every block), and that
/// decoding took at most DecodeTimeout, or throws <see cref="AudioRejectedException"/> (unsupported_format,
/// corrupt_audio, too_short, too_long).
/// </summary>
public sealed class AudioDecoder(AnalysisOptions options)
{
    private const int BlockFrames = RecordingReader.SampleRate;

    /// <summary>Sniffs, decodes and checks the duration of a whole upload.</summary>
    /// <exception cref="AudioRejectedException">The upload cannot be decoded; its Code says why.</exception>
    public async Task<DecodedAudio> DecodeAsync(Stream upload, string fileName, CancellationToken cancellationToken)
    {
        var file = await UploadReader.ReadAllAsync(upload, cancellationToken);
        var format = AudioFormatSniffer.Detect(fileName, file.Span);
        var decoded = await DecodeAsync(file, format, cancellationToken);
        new DurationLimits(options).RejectIfTooShort(decoded.DurationSeconds);
        return decoded;
    }

    internal async Task<DecodedAudio> DecodeAsync(ReadOnlyMemory<byte> file, AudioFormat format, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.DecodeTimeout);
        try
        {
            return await DecodeWithinAsync(file, format, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio,
                $"The audio could not be decoded within {options.DecodeTimeout.TotalSeconds:0.###} s.");
        }
    }

    private async Task<DecodedAudio> DecodeWithinAsync(ReadOnlyMemory<byte> file, AudioFormat format, CancellationToken cancellationToken)
    {
        var readerOptions = RecordingReaderOptions.From(options, ChannelMode.Mix, options.MaxDuration);
        await using var reader = await RecordingReader.OpenAsync(AsStream(file), format, readerOptions, cancellationToken);
        var samples = new List<float>(ExpectedFrames(reader.Source));
        var block = reader.CreateBlock(BlockFrames);
        while (await reader.ReadAsync(block, cancellationToken))
        {
            samples.AddRange(block.Channel(0));
        }

        if (samples.Count == 0)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, "The file holds no decodable audio samples.");
        }

        return new DecodedAudio(samples.ToArray(), reader.Source.SampleRate, reader.Source.Channels);
    }

    /// <summary>Room for the declared duration (bounded by MaxDuration), so the list rarely grows.</summary>
    private int ExpectedFrames(RecordingFacts source)
    {
        var seconds = Math.Min(source.Duration?.TotalSeconds ?? 0, options.MaxDuration.TotalSeconds);
        return (int)(seconds * RecordingReader.SampleRate) + BlockFrames;
    }

    private static Stream AsStream(ReadOnlyMemory<byte> file) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(file, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(file.ToArray(), writable: false);
}
