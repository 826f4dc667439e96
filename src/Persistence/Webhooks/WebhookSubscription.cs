using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Webhooks;

/// <summary>
/// Where the service sends signed events, and with which secret. Two kinds share the table and the secret
/// handling: an <see cref="WebhookSubscriptionKind.Endpoint"/> made by <c>POST /webhooks</c> (one URL, chosen
/// events), and the one <see cref="WebhookSubscriptionKind.JobCallbacks"/> row whose secret signs the per-job
/// <c>callbackUrl</c> deliveries (each job brings its own URL). All times are UTC.
/// Endpoints belong to the tenant that made them (they hear only that tenant's jobs and batches); the one
/// JobCallbacks row is the deployment's and belongs to the default tenant.
/// </summary>
public sealed class WebhookSubscription : ITenantOwned
{
    /// <summary>The fixed id of the <see cref="WebhookSubscriptionKind.JobCallbacks"/> row (created on first use).</summary>
    public static readonly Guid JobCallbacksId = new("00000000-0000-0000-0000-0000000ca11b");

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public WebhookSubscriptionKind Kind { get; set; }

    /// <summary>The receiver's URL; null for JobCallbacks (each job names its own).</summary>
    public string? Url { get; set; }

    /// <summary>Event types sent here (<c>job.succeeded</c>, <c>job.failed</c>, <c>batch.completed</c>).</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>
    /// The signing secret, <c>whsec_</c> + base64 of random bytes (Standard Webhooks). Kept in clear: signing needs it.
    /// </summary>
    public required string Secret { get; set; }

    /// <summary>The secret before the last rotation: deliveries carry its signature too until it expires.</summary>
    public string? PreviousSecret { get; set; }
    public DateTime? PreviousSecretExpiresAt { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when a receiver answered 410 Gone: nothing more is sent here.</summary>
    public DateTime? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }

    /// <summary>Set by <c>DELETE /webhooks/{id}</c>; the row stays so past deliveries keep their history.</summary>
    public DateTime? DeletedAt { get; set; }

    public bool IsActive => DisabledAt is null && DeletedAt is null;
}

public enum WebhookSubscriptionKind
{
    Endpoint,
    JobCallbacks,
}
