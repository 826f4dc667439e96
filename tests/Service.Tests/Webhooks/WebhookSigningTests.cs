using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Processing.Webhooks;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace SpeechEmotion.Service.Tests.Webhooks;

/// <summary>Signatures as the Standard Webhooks specification (and the README's receivers) compute them.</summary>
public sealed class WebhookSigningTests
{
    private const string Body = """{"type":"job.succeeded","timestamp":"2026-11-30T23:00:00Z","data":{"id":"x"}}""";
    private const string WebhookId = "01930000-0000-7000-8000-000000000001";

    [Fact]
    public void Secret_is_whsec_and_32_random_bytes()
    {
        var secret = WebhookSecrets.NewSecret();

        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSecrets.NewSecret());
    }

    [Fact]
    public void Signature_is_v1_base64_HMAC_SHA256_of_id_timestamp_body_as_a_receiver_computes_it_by_hand()
    {
        var subscription = Subscription(WebhookSecrets.NewSecret());
        var timestamp = DateTimeOffset.UtcNow;

        var header = WebhookSecrets.SignatureHeader(subscription, WebhookId, timestamp, Body);

        // What the README's Python receiver does with the standard library's hmac.
        var key = Convert.FromBase64String(subscription.Secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{WebhookId}.{timestamp.ToUnixTimeSeconds()}.{Body}");
        Assert.Equal("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)), header);
    }

    [Fact]
    public void Signature_verifies_and_a_tampered_body_or_timestamp_does_not()
    {
        var subscription = Subscription(WebhookSecrets.NewSecret());
        var timestamp = DateTimeOffset.UtcNow;
        var headers = Headers(timestamp, WebhookSecrets.SignatureHeader(subscription, WebhookId, timestamp, Body));
        var receiver = new StandardWebhook(subscription.Secret);

        receiver.Verify(Body, headers);
        Assert.Throws<WebhookVerificationException>(() => receiver.Verify(Body.Replace("\"x\"", "\"y\""), headers));
        var later = Headers(timestamp.AddSeconds(1), headers["webhook-signature"]!);
        Assert.Throws<WebhookVerificationException>(() => receiver.Verify(Body, later));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSecrets.NewSecret()).Verify(Body, headers));
    }

    [Fact]
    public void During_a_rotation_both_secrets_verify_and_after_it_only_the_new_one()
    {
        var old = WebhookSecrets.NewSecret();
        var subscription = Subscription(WebhookSecrets.NewSecret());
        subscription.PreviousSecret = old;
        subscription.PreviousSecretExpiresAt = DateTime.UtcNow.AddHours(1);
        var now = DateTimeOffset.UtcNow;

        var during = WebhookSecrets.SignatureHeader(subscription, WebhookId, now, Body).Split(' ');
        Assert.Equal(2, during.Length);
        Assert.True(VerifiesWithAny(subscription.Secret, now, during));
        Assert.True(VerifiesWithAny(old, now, during));

        subscription.PreviousSecretExpiresAt = DateTime.UtcNow.AddSeconds(-1);
        var after = WebhookSecrets.SignatureHeader(subscription, WebhookId, now, Body).Split(' ');
        Assert.Single(after);
        Assert.True(VerifiesWithAny(subscription.Secret, now, after));
        Assert.False(VerifiesWithAny(old, now, after));
    }

    [Fact]
    public void StandardWebhooks_package_checks_all_but_the_last_of_several_signatures()
    {
        // Why the README's receivers check each v1 entry themselves: the package's Verify (1.1.2) leaves its loop
        // before the last entry of a multi-signature header, so during a rotation one of the two secrets fails there.
        var old = WebhookSecrets.NewSecret();
        var subscription = Subscription(WebhookSecrets.NewSecret());
        subscription.PreviousSecret = old;
        subscription.PreviousSecretExpiresAt = DateTime.UtcNow.AddHours(1);
        var now = DateTimeOffset.UtcNow;
        var headers = Headers(now, WebhookSecrets.SignatureHeader(subscription, WebhookId, now, Body));

        new StandardWebhook(subscription.Secret).Verify(Body, headers);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(old).Verify(Body, headers));
    }

    /// <summary>A receiver's check: does any one of the header's signatures verify with this secret?</summary>
    private static bool VerifiesWithAny(string secret, DateTimeOffset timestamp, IEnumerable<string> signatures) =>
        signatures.Any(signature =>
        {
            try
            {
                new StandardWebhook(secret).Verify(Body, Headers(timestamp, signature));
                return true;
            }
            catch (WebhookVerificationException)
            {
                return false;
            }
        });

    private static WebhookSubscription Subscription(string secret) => new() { Id = Guid.NewGuid(), Secret = secret, Url = "https://example.com" };

    private static HeaderDictionary Headers(DateTimeOffset timestamp, string signature) => new()
    {
        ["webhook-id"] = WebhookId,
        ["webhook-timestamp"] = timestamp.ToUnixTimeSeconds().ToString(),
        ["webhook-signature"] = signature,
    };
}
