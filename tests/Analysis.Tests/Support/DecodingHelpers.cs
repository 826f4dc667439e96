using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>Reads a whole (short) test recording through <see cref="RecordingReader"/>, one array per channel.</summary>
internal static class DecodingHelpers
{
    public static async Task<(RecordingFacts Source, float[][] Channels)> DecodeAllAsync(
        Stream recording, AudioFormat format, ChannelMode mode = ChannelMode.Split, int blockFrames = 4000)
    {
        await using var reader = await RecordingReader.OpenAsync(recording, format, new RecordingReaderOptions { Channels = mode }, CancellationToken.None);
        var channels = Enumerable.Range(0, reader.Channels).Select(_ => new List<float>()).ToArray();
        var block = reader.CreateBlock(blockFrames);
        while (await reader.ReadAsync(block, CancellationToken.None))
        {
            for (var channel = 0; channel < reader.Channels; channel++)
            {
                channels[channel].AddRange(block.Channel(channel));
            }
        }

        return (reader.Source, channels.Select(list => list.ToArray()).ToArray());
    }

    /// <summary>
    /// How far <paramref name="actual"/> is from a sine of <paramref name="frequency"/> fitted by least squares (any
    /// amplitude and phase), in dB of the residual's energy against the sine's: everything that is not the tone,
    /// i.e. aliases, noise, distortion. Only the middle part is looked at (filters ring at the edges).
    /// </summary>
    public static double ResidualAfterToneDb(ReadOnlySpan<float> actual, double frequency, int sampleRate = RecordingReader.SampleRate)
    {
        var margin = sampleRate / 20;
        var middle = actual[margin..^margin];
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (var i = 0; i < middle.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * (i + margin) / sampleRate;
            var (s, c) = (Math.Sin(angle), Math.Cos(angle));
            ss += s * s; sc += s * c; cc += c * c; ys += middle[i] * s; yc += middle[i] * c;
        }

        var determinant = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / determinant;
        var b = ((yc * ss) - (ys * sc)) / determinant;
        double toneEnergy = 0, residualEnergy = 0;
        for (var i = 0; i < middle.Length; i++)
        {
            var angle = 2 * Math.PI * frequency * (i + margin) / sampleRate;
            var tone = (a * Math.Sin(angle)) + (b * Math.Cos(angle));
            toneEnergy += tone * tone;
            residualEnergy += (middle[i] - tone) * (middle[i] - tone);
        }

        return 10 * Math.Log10(residualEnergy / toneEnergy);
    }

    public static double RmsDbfs(ReadOnlySpan<float> samples) => 20 * Math.Log10(Math.Max(TestSignals.Rms(samples), 1e-12));
}
