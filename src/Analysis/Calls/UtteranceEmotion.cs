namespace SpeechEmotion.Analysis.Calls;

/// <summary>
/// The emotion of one utterance (a speech region the detector closed) of one channel, told as soon as it is known:
/// <paramref name="Final"/> answers cover the whole region (the duration-weighted mean of its windows, as the
/// result's segments are made); interim ones (<paramref name="Final"/> false) cover the last window of a region
/// still going, <paramref name="Start"/> to <paramref name="End"/> being the region so far. Seconds from the start.
/// </summary>
public sealed record UtteranceEmotion(
    int Channel, double Start, double End, string Emotion, IReadOnlyDictionary<string, float> Probabilities, bool Final);

/// <summary>When a live stream reports on an utterance still going: first after <see cref="AfterSeconds"/> of it, then every <see cref="EverySeconds"/>.</summary>
public sealed record InterimPolicy(double AfterSeconds, double EverySeconds);
