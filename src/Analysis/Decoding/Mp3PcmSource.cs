using NLayer;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// MP3 in managed code (NLayer): no process start per recording. NLayer is shown the stream as forward-only, because
/// on a seekable stream it keeps an index entry for every frame it has seen (memory growing with the call's length)
/// and scans the whole file to learn its length. NLayer reads synchronously; the stream is an in-memory upload or a
/// local file here, so the blocking read is short.
/// </summary>
internal sealed class Mp3PcmSource : PcmSource
{
    private readonly MpegFile mpeg;
    private float[] interleaved = [];

    private Mp3PcmSource(MpegFile mpeg)
    {
        this.mpeg = mpeg;
        // Duration is only known from a Xing/VBRI header on a forward-only stream; NLayer says zero otherwise.
        var duration = mpeg.Duration > TimeSpan.Zero ? mpeg.Duration : (TimeSpan?)null;
        Facts = new RecordingFacts(AudioFormat.Mp3, "mp3", mpeg.SampleRate, mpeg.Channels, duration);
    }

    public override RecordingFacts Facts { get; }

    public override int SampleRate => Facts.SampleRate;

    /// <exception cref="AudioRejectedException">corrupt_audio when no MPEG audio frame can be found.</exception>
    public static Mp3PcmSource Open(Stream stream)
    {
        try
        {
            return new Mp3PcmSource(new MpegFile(new ForwardOnlyStream(stream)));
        }
        catch (Exception exception) when (IsDecoderFailure(exception))
        {
            throw Corrupt(exception);
        }
    }

    public override ValueTask<int> ReadAsync(float[][] destination, int maxFrames, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var channels = Channels;
        if (interleaved.Length < maxFrames * channels)
        {
            interleaved = new float[maxFrames * channels];
        }

        int samples;
        try
        {
            samples = mpeg.ReadSamples(interleaved, 0, maxFrames * channels);
        }
        catch (Exception exception) when (IsDecoderFailure(exception))
        {
            // NLayer skips damaged frames itself; what escapes is a stream it cannot follow at all.
            throw Corrupt(exception);
        }

        var frames = samples / channels;
        for (var channel = 0; channel < channels; channel++)
        {
            var target = destination[channel];
            for (var frame = 0; frame < frames; frame++)
            {
                target[frame] = interleaved[(frame * channels) + channel];
            }
        }

        return ValueTask.FromResult(frames);
    }

    public override ValueTask DisposeAsync()
    {
        mpeg.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whatever a third-party decoder throws on untrusted bytes is the upload's fault (corrupt_audio, never a 500);
    /// only cancellation and the reading stream's own I/O failures are not.
    /// </summary>
    private static bool IsDecoderFailure(Exception exception) =>
        exception is not (OperationCanceledException or IOException or OutOfMemoryException);

    private static AudioRejectedException Corrupt(Exception exception) =>
        new(ErrorCodes.CorruptAudio, $"The MP3 could not be decoded: {exception.Message}");

    /// <summary>
    /// Hides seeking and counts the bytes read, which is all NLayer asks of a forward-only stream (it reads Position).
    /// </summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
