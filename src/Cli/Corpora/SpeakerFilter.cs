using System.Globalization;
using System.Text.RegularExpressions;

namespace SpeechEmotion.Cli.Corpora;

/// <summary>
/// Which speakers to evaluate, as written after <c>--speakers</c>: a comma-separated list of ids and numeric ranges,
/// each optionally qualified by its corpus: <c>17-20</c>, <c>1,3,14,20</c>, <c>DC,JE</c>, <c>OAF</c>,
/// <c>ravdess:01-04,savee:JE</c>. Numeric ids compare as numbers ("1" is RAVDESS actor "01"), names ignore case.
/// </summary>
public sealed partial class SpeakerFilter
{
    private readonly IReadOnlyList<Term> terms;

    private SpeakerFilter(IReadOnlyList<Term> terms) => this.terms = terms;

    /// <summary>Everyone (no <c>--speakers</c>).</summary>
    public static SpeakerFilter All { get; } = new([]);

    public bool Matches(LabelledClip clip) => terms.Count == 0 || terms.Any(term => term.Matches(clip));

    /// <exception cref="FormatException">The text is empty or a term is neither an id nor a range.</exception>
    public static SpeakerFilter Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(part => part.Length == 0))
        {
            throw new FormatException($"'{text}' has an empty speaker; write ids and ranges separated by commas, e.g. 17-20 or DC,JE.");
        }

        return new SpeakerFilter(parts.Select(ParseTerm).ToList());
    }

    private static Term ParseTerm(string part)
    {
        var match = TermSyntax().Match(part);
        if (!match.Success)
        {
            throw new FormatException($"'{part}' is not a speaker id (17, DC, OAF, ravdess:17) or a range of numbers (17-20).");
        }

        var corpus = match.Groups["corpus"].Success ? match.Groups["corpus"].Value.ToLowerInvariant() : null;
        if (!match.Groups["last"].Success)
        {
            return new Term(corpus, match.Groups["first"].Value, null);
        }

        var (first, last) = (Number(match.Groups["first"].Value), Number(match.Groups["last"].Value));
        if (first > last)
        {
            throw new FormatException($"The range '{part}' ends before it starts.");
        }

        return new Term(corpus, null, (first, last));
    }

    // corpus:first-last, corpus:id, first-last or id; a range needs numbers at both ends.
    [GeneratedRegex(@"^(?:(?<corpus>[A-Za-z][A-Za-z-]*):)?(?:(?<first>\d+)-(?<last>\d+)|(?<first>[A-Za-z0-9]+))$")]
    private static partial Regex TermSyntax();

    private static long Number(string digits) => long.Parse(digits, CultureInfo.InvariantCulture);

    private static bool IsNumber(string id) => id.Length > 0 && id.All(char.IsAsciiDigit);

    /// <summary>One comma-separated term: an id (number or name) or an inclusive numeric range.</summary>
    private sealed record Term(string? Corpus, string? Id, (long First, long Last)? Range)
    {
        public bool Matches(LabelledClip clip)
        {
            if (Corpus is not null && Corpus != clip.Corpus)
            {
                return false;
            }

            if (Range is var (first, last))
            {
                return IsNumber(clip.Speaker) && Number(clip.Speaker) >= first && Number(clip.Speaker) <= last;
            }

            return IsNumber(Id!) && IsNumber(clip.Speaker)
                ? Number(Id!) == Number(clip.Speaker)
                : string.Equals(Id, clip.Speaker, StringComparison.OrdinalIgnoreCase);
        }
    }
}
