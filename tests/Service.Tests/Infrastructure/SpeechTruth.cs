using System.Buffers.Binary;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// Where a generated μ-law call really speaks, read from its samples (the sentences lie over digital silence): per
/// channel, stretches of audible samples (peaks above about −38 dBFS) with pauses under a second inside them.
/// The ground truth the live events are timed against, independent of the voice activity detector.
/// </summary>
public sealed class SpeechTruth
{
    private const int SampleRate = 8000;
    private const double LongestInnerPause = 1.0;

    private readonly byte[] data;
    private readonly int channels;

    private SpeechTruth(byte[] data, int channels) => (this.data, this.channels) = (data, channels);

    public static SpeechTruth Of(byte[] muLawWav)
    {
        var channels = BinaryPrimitives.ReadInt16LittleEndian(muLawWav.AsSpan(22));
        var at = 12;
        while (!muLawWav.AsSpan(at, 4).SequenceEqual("data"u8))
        {
            at += 8 + BinaryPrimitives.ReadInt32LittleEndian(muLawWav.AsSpan(at + 4));
        }
        return new SpeechTruth(muLawWav[(at + 8)..], channels);
    }

    /// <summary>The utterances of one channel, (start, end) in seconds.</summary>
    public IReadOnlyList<(double Start, double End)> Turns(int channel)
    {
        var turns = new List<(double Start, double End)>();
        for (var frame = 0; frame < data.Length / channels; frame++)
        {
            if (!IsAudible(data[(frame * channels) + channel]))
            {
                continue;
            }
            var time = frame / (double)SampleRate;
            if (turns.Count > 0 && time - turns[^1].End < LongestInnerPause)
            {
                turns[^1] = (turns[^1].Start, time);
            }
            else
            {
                turns.Add((time, time));
            }
        }
        return turns;
    }

    /// <summary>A μ-law code's segment (exponent) of 2 or more is a magnitude of at least 396 of 32768.</summary>
    private static bool IsAudible(byte code) => ((~code >> 4) & 0x07) >= 2;
}
