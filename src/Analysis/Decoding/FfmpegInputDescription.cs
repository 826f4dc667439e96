using System.Globalization;
using System.Text.RegularExpressions;

namespace SpeechEmotion.Analysis.Decoding;

/// <summary>
/// Reads the original sample rate and channel count from the stream line ffmpeg prints for its input, e.g.
/// <c>Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s</c>. Parsing the log of the decode we run anyway
/// saves a second process (ffprobe) per request.
/// </summary>
internal static partial class FfmpegInputDescription
{
    // Named layouts ffmpeg prints instead of "N channels" (libavutil/channel_layout.c).
    private static readonly Dictionary<string, int> ChannelsByLayoutName = new(StringComparer.Ordinal)
    {
        ["mono"] = 1,
        ["stereo"] = 2,
        ["downmix"] = 2,
        ["quad"] = 4,
        ["hexagonal"] = 6,
        ["octagonal"] = 8,
        ["hexadecagonal"] = 16,
    };

    /// <summary>The first audio stream of input #0 (inputs are logged before outputs); (0, 0) when absent.</summary>
    public static (int SampleRate, int Channels) Parse(string ffmpegLog)
    {
        var match = InputAudioStream().Match(ffmpegLog);
        if (!match.Success)
        {
            return (0, 0);
        }

        var sampleRate = int.Parse(match.Groups["rate"].Value, CultureInfo.InvariantCulture);
        return (sampleRate, ChannelCount(match.Groups["layout"].Value.Trim()));
    }

    /// <summary>ffmpeg's name of the input's audio codec (pcm_mulaw, gsm_ms, opus...); "unknown" when absent.</summary>
    public static string ParseCodec(string ffmpegLog)
    {
        var match = InputAudioStream().Match(ffmpegLog);
        return match.Success ? match.Groups["codec"].Value : "unknown";
    }

    /// <summary>The input's "Duration: 00:01:02.50" line; null for "N/A" (ffmpeg cannot tell from a pipe).</summary>
    public static TimeSpan? ParseDuration(string ffmpegLog)
    {
        var match = InputDuration().Match(ffmpegLog);
        if (!match.Success)
        {
            return null;
        }

        int Part(int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return new TimeSpan(0, Part(1), Part(2), Part(3), Part(4) * 10);
    }

    /// <summary>"mono", "stereo", "6 channels", "5.1(side)" (5 + 1), ...; 0 when the name is unknown.</summary>
    private static int ChannelCount(string layout)
    {
        var name = layout.Split('(')[0];
        if (ChannelsByLayoutName.TryGetValue(name, out var named))
        {
            return named;
        }

        var counted = ChannelsCount().Match(name);
        if (counted.Success)
        {
            return int.Parse(counted.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var surround = SurroundLayout().Match(name);
        return surround.Success
            ? int.Parse(surround.Groups[1].Value, CultureInfo.InvariantCulture) + int.Parse(surround.Groups[2].Value, CultureInfo.InvariantCulture)
            : 0;
    }

    [GeneratedRegex(@"Stream #0:\d+[^:]*: Audio: (?<codec>[\w-]+)[^\n]*?, (?<rate>\d+) Hz, (?<layout>[^,\n]+)")]
    private static partial Regex InputAudioStream();

    [GeneratedRegex(@"Duration: (\d+):(\d\d):(\d\d)\.(\d\d)")]
    private static partial Regex InputDuration();

    [GeneratedRegex(@"^(\d+) channels$")]
    private static partial Regex ChannelsCount();

    [GeneratedRegex(@"^(\d+)\.(\d+)$")]
    private static partial Regex SurroundLayout();
}
