namespace SpeechEmotion.Analysis.Decoding;

/// <summary>What a reader does with the source's channels.</summary>
internal enum ChannelMode
{
    /// <summary>Keep every channel apart (a call's agent and customer stay on their own channels).</summary>
    Split,

    /// <summary>
    /// Average all channels into one (the model was trained on averaged mono; averaging, not summing, keeps the level).
    /// </summary>
    Mix,
}
