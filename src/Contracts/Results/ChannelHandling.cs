namespace SpeechEmotion.Contracts.Results;

/// <summary>What to do with the channels of a recording (<c>channels</c> form field of POST /jobs).</summary>
public enum ChannelHandling
{
    /// <summary>Average all channels into one and analyse that (the default; one channel block in the result).</summary>
    Mix,

    /// <summary>Analyse every channel on its own (stereo calls: agent on one channel, customer on the other).</summary>
    Split,
}

/// <summary>How the caller wants a recording analysed: channel handling and the names of channels 0, 1, ...</summary>
public sealed record AnalysisRequest(ChannelHandling Channels, IReadOnlyList<string> ChannelNames)
{
    public static AnalysisRequest Default { get; } = new(ChannelHandling.Mix, []);

    /// <summary>The caller's name for a channel, or <c>mix</c> / <c>channel{n}</c>.</summary>
    public string NameOf(int channel) =>
        channel < ChannelNames.Count ? ChannelNames[channel] : Channels == ChannelHandling.Mix ? "mix" : $"channel{channel}";
}
