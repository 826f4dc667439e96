namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// One decoder behind <see cref="RecordingReader"/>: hands out the recording in planar float frames at its own
/// <see cref="SampleRate"/> (the source rate for managed decoders, 16 kHz for ffmpeg, which resamples itself).
/// </summary>
internal abstract class PcmSource : IAsyncDisposable
{
    public abstract RecordingFacts Facts { get; }

    /// <summary>The rate of the frames <see cref="ReadAsync"/> produces.</summary>
    public abstract int SampleRate { get; }

    /// <summary>The channels <see cref="ReadAsync"/> produces (the source's).</summary>
    public int Channels => Facts.Channels;

    /// <summary>Fills up to <paramref name="maxFrames"/> frames into each channel's array; 0 means the end.</summary>
    public abstract ValueTask<int> ReadAsync(float[][] destination, int maxFrames, CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
