namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// One stretch of decoded audio at 16 kHz, one float array per channel (samples in [-1, 1]). A reader fills the
/// same block again and again, so a recording of any length costs the memory of one block.
/// </summary>
internal sealed class AudioBlock
{
    private readonly float[][] channels;

    public AudioBlock(int channelCount, int capacityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityFrames, 1);
        channels = new float[channelCount][];
        for (var channel = 0; channel < channelCount; channel++)
        {
            channels[channel] = new float[capacityFrames];
        }
    }

    public int ChannelCount => channels.Length;

    public int Capacity => channels[0].Length;

    /// <summary>How many frames (samples per channel) the last read put in; less than Capacity only at the end.</summary>
    public int Frames { get; internal set; }

    /// <summary>Position of the first frame in the recording, in 16 kHz frames.</summary>
    public long StartFrame { get; internal set; }

    public TimeSpan Start => TimeSpan.FromSeconds(StartFrame / (double)RecordingReader.SampleRate);

    public TimeSpan Duration => TimeSpan.FromSeconds(Frames / (double)RecordingReader.SampleRate);

    /// <summary>The samples of one channel (0 = left / first) in this block.</summary>
    public ReadOnlySpan<float> Channel(int channel) => channels[channel].AsSpan(0, Frames);

    internal Span<float> Writable(int channel, int fromFrame) => channels[channel].AsSpan(fromFrame);
}
