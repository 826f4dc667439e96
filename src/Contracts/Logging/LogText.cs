using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace SpeechEmotion.Contracts.Logging;

/// <summary>
/// Text from outside (a client's file name, a request path, ffmpeg's stderr) as it may appear in a log: JSON-string
/// escaped, so CR, LF and other control characters show as <c>\r</c>, <c>\n</c>, <c>\u0000</c> and cannot forge log
/// lines or corrupt a terminal. Letters of every script stay readable.
/// </summary>
public static class LogText
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static string Encode(string? text) => text is null ? "" : Encoder.Encode(text);
}
