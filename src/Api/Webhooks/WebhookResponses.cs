using SpeechEmotion.Persistence.Webhooks;

namespace SpeechEmotion.Api.Webhooks;

// The JSON shapes of /webhooks and of deliveries. Secrets appear only in the answers that make them.

public sealed record CreateWebhookRequest(string? Url, List<string>? Events);

public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Events, string Status, DateTime CreatedAt,
    DateTime? DisabledAt, string? DisabledReason, DateTime? PreviousSecretExpiresAt);

/// <summary>The answer to <c>POST /webhooks</c>: the only time the secret is shown.</summary>
public sealed record WebhookCreated(Guid Id, string Url, IReadOnlyList<string> Events, string Status, DateTime CreatedAt, string Secret);

/// <summary>A new secret; the previous one keeps signing (beside it) until <c>PreviousSecretExpiresAt</c>.</summary>
public sealed record SecretRotated(string Id, string Secret, DateTime? PreviousSecretExpiresAt);

public sealed record WebhookList(IReadOnlyList<WebhookView> Items);

/// <param name="Target"><c>webhook</c> (a subscription, <c>WebhookId</c>) or <c>callback</c> (the job's callbackUrl).</param>
public sealed record DeliveryView(Guid Id, string Type, string Target, Guid? WebhookId, string Status, int AttemptCount,
    DateTime CreatedAt, DateTime? NextAttemptAt, DateTime? CompletedAt, IReadOnlyList<AttemptView> Attempts);

public sealed record AttemptView(DateTime At, int? StatusCode, string? Error, string? ResponsePrefix, int DurationMs);

public sealed record DeliveryList(IReadOnlyList<DeliveryView> Items);

public static class WebhookViews
{
    public const string CallbacksId = "callbacks";

    public static WebhookView Describe(WebhookSubscription subscription) => new(
        subscription.Id, subscription.Url!, subscription.Events, StatusOf(subscription), subscription.CreatedAt,
        subscription.DisabledAt, subscription.DisabledReason, subscription.PreviousSecretExpiresAt);

    public static string StatusOf(WebhookSubscription subscription) => subscription.DisabledAt is null ? "active" : "disabled";

    /// <param name="kind">The kind of the delivery's subscription: a JobCallbacks row's deliveries went to a job's callbackUrl.</param>
    public static DeliveryView Describe(WebhookDelivery delivery, WebhookSubscriptionKind kind)
    {
        var isCallback = kind == WebhookSubscriptionKind.JobCallbacks;
        return new DeliveryView(
            delivery.Id,
            delivery.EventType,
            isCallback ? "callback" : "webhook",
            isCallback ? null : delivery.SubscriptionId,
            delivery.Status.ToString().ToLowerInvariant(),
            delivery.Attempts.Count,
            delivery.CreatedAt,
            delivery.Status == WebhookDeliveryStatus.Pending ? delivery.NextAttemptAt : null,
            delivery.CompletedAt,
            delivery.Attempts.OrderBy(a => a.AttemptedAt)
                .Select(a => new AttemptView(a.AttemptedAt, a.StatusCode, a.Error, a.ResponsePrefix, a.DurationMs)).ToList());
    }
}
