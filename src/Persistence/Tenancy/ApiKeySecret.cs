using System.Security.Cryptography;
using System.Text;

namespace SpeechEmotion.Persistence.Tenancy;

/// <summary>
/// Making and hashing key strings: <c>sek_</c> followed by 32 random bytes in base64url (256 bits).
/// A plain SHA-256 is the right hash here, unlike for passwords: a key is random with 256 bits of entropy, so a
/// stolen hash cannot be brute-forced whatever the hash costs, and a fast hash lets every request find its key by an
/// indexed equality lookup instead of running a deliberately slow KDF (bcrypt, PBKDF2) per request.
/// </summary>
public static class ApiKeySecret
{
    public const string Marker = "sek_";
    private const int RandomBytes = 32;
    /// <summary>Marker plus 8 characters: enough to tell keys apart, 48 bits that do not help guess the rest.</summary>
    public const int PrefixLength = 12;

    public static string NewKey() => Marker + Base64Url(RandomNumberGenerator.GetBytes(RandomBytes));

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string PrefixOf(string key) => key.Length <= PrefixLength ? key : key[..PrefixLength];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
