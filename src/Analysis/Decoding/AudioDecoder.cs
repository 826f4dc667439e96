using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Turns an upload into 16 kHz mono float32: plain 16 kHz PCM WAV in managed code, everything else through ffmpeg.
/// Guarantees the result is at most MaxDuration long, holds at least one sample and only finite samples within
/// <see cref="SampleRange"/>, whichever path decoded it, or throws <see cref="AudioRejectedException"/> (corrupt_audio, too_long).
/// </summary>
internal sealed class AudioDecoder(DurationLimits durationLimits, FfmpegDecoder ffmpeg)
{
    public async Task<DecodedAudio> DecodeAsync(ReadOnlyMemory<byte> file, AudioFormat format, CancellationToken cancellationToken)
    {
        var decoded = await DecodeAnyPathAsync(file, format, cancellationToken);
        SampleRange.RejectIfOutOfRange(decoded.Samples);
        return decoded;
    }

    private async Task<DecodedAudio> DecodeAnyPathAsync(ReadOnlyMemory<byte> file, AudioFormat format, CancellationToken cancellationToken)
    {
        if (format != AudioFormat.Wav)
        {
            return await ffmpeg.DecodeAsync(file, format, cancellationToken);
        }

        var header = WavReader.ReadHeader(file.Span);
        // The header already knows the duration: refuse a long file before decoding a single sample.
        durationLimits.RejectIfTooLong(header.DurationSeconds);

        if (header.FrameCount == 0)
        {
            throw new AudioRejectedException(ErrorCodes.CorruptAudio, "The WAV file holds no audio samples.");
        }

        if (!header.IsManagedFastPath)
        {
            return await ffmpeg.DecodeAsync(file, format, cancellationToken);
        }

        var samples = WavReader.DecodeSamples(file.Span, header);
        return new DecodedAudio(samples, header.SampleRate, header.Channels);
    }
}
