using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// The form fields <c>channels</c> (<c>mix</c>, the default, or <c>split</c>) and <c>channelNames</c>
/// (comma-separated names of channels 0, 1, ..., e.g. <c>agent,customer</c>) as an <see cref="AnalysisRequest"/>;
/// anything else is a 400 with invalid_channels or invalid_channel_names.
/// </summary>
public static class AnalysisRequestField
{
    public const int MaxNames = 8;
    public const int MaxNameLength = 64;

    public static AnalysisRequest Parse(string? channels, string? channelNames)
    {
        var handling = ParseChannels(channels);
        var names = ParseNames(channelNames);
        if (handling == ChannelHandling.Mix && names.Count > 1)
        {
            throw Problem(ErrorCodes.InvalidChannelNames, "channels=mix analyses one mixed channel: give at most one name, or send channels=split.");
        }
        return new AnalysisRequest(handling, names);
    }

    private static ChannelHandling ParseChannels(string? channels) => channels?.Trim().ToLowerInvariant() switch
    {
        null or "" or "mix" => ChannelHandling.Mix,
        "split" => ChannelHandling.Split,
        _ => throw Problem(ErrorCodes.InvalidChannels, "channels must be 'mix' or 'split'."),
    };

    private static List<string> ParseNames(string? channelNames)
    {
        if (string.IsNullOrWhiteSpace(channelNames))
        {
            return [];
        }
        var names = channelNames.Split(',').Select(name => name.Trim()).ToList();
        if (names.Count > MaxNames)
        {
            throw Problem(ErrorCodes.InvalidChannelNames, $"channelNames names at most {MaxNames} channels.");
        }
        if (names.Any(name => name.Length == 0 || name.Length > MaxNameLength || !name.All(IsNameCharacter)))
        {
            throw Problem(ErrorCodes.InvalidChannelNames,
                $"channelNames is a comma-separated list of names of 1 to {MaxNameLength} letters, digits, spaces, '-' or '_'.");
        }
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Count)
        {
            throw Problem(ErrorCodes.InvalidChannelNames, "channelNames holds the same name twice.");
        }
        return names;
    }

    private static bool IsNameCharacter(char c) => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_';

    private static ApiProblemException Problem(string code, string detail) => new(StatusCodes.Status400BadRequest, code, detail);
}
