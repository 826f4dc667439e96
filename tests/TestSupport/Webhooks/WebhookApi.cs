using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace SpeechEmotion.TestSupport.Webhooks;

/// <summary>The webhook calls tests make against an Api, and the settings that keep their timings short.</summary>
public static class WebhookApi
{
    /// <summary>
    /// Receivers on loopback allowed; polls every 100 ms; retries after about 0.2 s, 0.3 s, 0.45 s, then every 0.5 s
    /// for 30 s; a request gives up after 1 s.
    /// </summary>
    public static Dictionary<string, string?> FastSettings(TimeSpan? retryFor = null) => new()
    {
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.1",
        ["Webhooks:FirstRetryDelay"] = "00:00:00.2",
        ["Webhooks:BackoffMultiplier"] = "1.5",
        ["Webhooks:MaxRetryDelay"] = "00:00:00.5",
        ["Webhooks:RetryFor"] = (retryFor ?? TimeSpan.FromSeconds(30)).ToString("c"),
        ["Webhooks:RequestTimeout"] = "00:00:01",
        ["Webhooks:ConnectTimeout"] = "00:00:01",
        ["Webhooks:ClaimDuration"] = "00:00:05",
    };

    public sealed record Subscription(Guid Id, string Secret);

    public static async Task<Subscription> SubscribeAsync(HttpClient client, string url, params string[] events)
    {
        using var response = await client.PostAsJsonAsync("/webhooks", new { url, events });
        var body = await response.Content.ReadAsStringAsync();
        Ensure(response.StatusCode == HttpStatusCode.Created, $"POST /webhooks answered {(int)response.StatusCode}: {body}");
        var created = JsonNode.Parse(body)!;
        return new Subscription(created["id"]!.GetValue<Guid>(), created["secret"]!.GetValue<string>());
    }

    public static async Task<string> RotateSecretAsync(HttpClient client, string id)
    {
        using var response = await client.PostAsync($"/webhooks/{id}/rotate-secret", null);
        var body = await response.Content.ReadAsStringAsync();
        Ensure(response.StatusCode == HttpStatusCode.OK, $"rotate-secret answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["secret"]!.GetValue<string>();
    }

    public static async Task<JsonArray> DeliveriesAsync(HttpClient client, Guid jobId)
    {
        using var response = await client.GetAsync($"/jobs/{jobId}/deliveries");
        var body = await response.Content.ReadAsStringAsync();
        Ensure(response.IsSuccessStatusCode, $"GET /jobs/{jobId}/deliveries answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["items"]!.AsArray();
    }

    /// <summary>Polls the job's deliveries until one matches; fails with what it saw after <paramref name="timeout"/>.</summary>
    public static async Task<JsonObject> WaitForDeliveryAsync(HttpClient client, Guid jobId, Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var deliveries = await DeliveriesAsync(client, jobId);
            if (deliveries.Select(d => d!.AsObject()).FirstOrDefault(match) is { } found)
            {
                return found;
            }
            Ensure(DateTime.UtcNow < deadline, $"no matching delivery within {timeout}: {deliveries.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    private static void Ensure(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }

    /// <summary>
    /// Whether any one of the delivery's signatures verifies with the secret (during a rotation it carries one per
    /// secret); checked one entry at a time, as the README's receivers do, since the package's Verify skips the last entry.
    /// </summary>
    public static bool IsSignedBy(string secret, ReceivedWebhook webhook) =>
        webhook.Headers["webhook-signature"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(signature =>
        {
            var single = new HeaderDictionary(webhook.Headers.ToDictionary(h => h.Key, h => h.Value)) { ["webhook-signature"] = signature };
            try
            {
                new StandardWebhook(secret).Verify(webhook.Body, single);
                return true;
            }
            catch (WebhookVerificationException)
            {
                return false;
            }
        });

    /// <summary>Throws WebhookVerificationException when the signature does not match the body (or is missing).</summary>
    public static void Verify(string secret, ReceivedWebhook webhook, string? body = null) =>
        new StandardWebhook(secret).Verify(body ?? webhook.Body, webhook.Headers);
}
