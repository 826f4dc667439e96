using System.Security.Cryptography;
using SpeechEmotion.Persistence.Webhooks;
using StandardWebhooks;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// Secrets and signatures as the Standard Webhooks specification writes them: a secret is <c>whsec_</c> + base64 of
/// random bytes; a signature is <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c> (StandardWebhooks package).
/// </summary>
public static class WebhookSecrets
{
    private const int SecretBytes = 32;

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>
    /// The <c>webhook-signature</c> header: the current secret's signature, and during a rotation's overlap the previous
    /// secret's too, space separated, so a receiver still holding the old secret keeps verifying.
    /// </summary>
    public static string SignatureHeader(WebhookSubscription subscription, string webhookId, DateTimeOffset timestamp, string body)
    {
        var signature = new StandardWebhook(subscription.Secret).Sign(webhookId, timestamp, body);
        if (subscription.PreviousSecret is { } previous && subscription.PreviousSecretExpiresAt > timestamp.UtcDateTime)
        {
            signature += " " + new StandardWebhook(previous).Sign(webhookId, timestamp, body);
        }
        return signature;
    }
}
