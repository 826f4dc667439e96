using System.Text.Json;

namespace SpeechEmotion.Processing.Jobs;

/// <summary>
/// What the <c>metadata</c> field may hold: a JSON object the service keeps verbatim and later writes back inside
/// <c>GET /jobs/{id}</c>. So it must be something that can be written back: at most <see cref="MaxDepth"/> levels deep
/// (the answer wraps it, and the JSON writer stops at 64), and every name and string valid UTF-16 (JSON's
/// <c>\ud800</c> escape can spell a lone surrogate, which no writer can encode). The same rule guards the reading
/// side, so a job stored before the rule existed still answers (without its metadata) instead of failing.
/// </summary>
public static class MetadataRules
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 32;

    public static bool CanBeServed(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object && HasOnlyValidText(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool HasOnlyValidText(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => element.EnumerateObject().All(property => property.Name is not null && HasOnlyValidText(property.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(HasOnlyValidText),
                JsonValueKind.String => element.GetString() is not null,
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            // Thrown by Name and GetString when an escape spells invalid UTF-16.
            return false;
        }
    }
}
