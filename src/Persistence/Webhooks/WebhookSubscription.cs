using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Webhooks;

/// <summary>
/// Where the service sends signed events, and with which secret. Two kinds share the table and the secret
/// handling: an <see cref="WebhookSubscriptionKind.Endpoint"/> made by <c>POST /webhooks</c> (one URL, chosen
/// events), and a tenant's <see cref="WebhookSubscriptionKind.JobCallbacks"/> row whose secret signs the
/// <c>callbackUrl</c> deliveries of that tenant's jobs (each job brings its own URL). All times are UTC.
/// Every row belongs to one tenant: endpoints hear only their tenant's jobs and batches, and each tenant has at most
/// one JobCallbacks row (a unique index; made on first use). The deployment-wide callbacks row of earlier versions
/// (id <c>…0ca11b</c>) was the default tenant's and stays its callbacks row.
/// </summary>
public sealed class WebhookSubscription : ITenantOwned
{
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
