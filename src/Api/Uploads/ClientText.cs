using System.Text;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// Short texts a client sends that the service stores and shows back (the file name, the file's content type).
/// Control characters (CR, LF, NUL, ...) become '_', and the text is cut to the database column's 255 characters
/// without splitting a surrogate pair: PostgreSQL refuses NUL and broken UTF-16, and a CR/LF has no business in
/// a name. A file name keeps its extension when cut, since the extension is the format hint.
/// </summary>
public static class ClientText
{
    public const int MaxLength = 255;

    /// <summary>An extension longer than this is no format hint we know: the name is simply cut.</summary>
    private const int LongestExtensionKept = 16;

    public static string FileName(string? clientName)
    {
        // Keep only the last path segment: the name is informative (and a format hint), never a path.
        var name = Clean(Path.GetFileName(clientName?.Replace('\\', '/') ?? ""));
        if (string.IsNullOrWhiteSpace(name))
        {
            return "upload";
        }
        if (name.Length <= MaxLength)
        {
            return name;
        }
        var extension = Path.GetExtension(name);
        return extension.Length is > 1 and <= LongestExtensionKept
            ? Cut(name[..^extension.Length], MaxLength - extension.Length) + extension
            : Cut(name, MaxLength);
    }

    public static string ShortText(string text) => Cut(Clean(text), MaxLength);

    private static string Clean(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var cleaned = new StringBuilder(text.Length);
        foreach (var character in text)
        {
            cleaned.Append(char.IsControl(character) ? '_' : character);
        }
        return cleaned.ToString();
    }

    private static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }
        // Never end on the first half of a surrogate pair.
        return char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
    }
}
