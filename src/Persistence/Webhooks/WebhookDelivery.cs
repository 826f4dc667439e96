namespace SpeechEmotion.Persistence.Webhooks;

/// <summary>
/// One event to send to one receiver, until it is acknowledged (2xx) or its retries run out. The row is the queue:
/// whichever process is alive claims it (<see cref="ClaimToken"/> until <see cref="ClaimExpiresAt"/>, by a
/// conditional update) and sends it; a crash leaves the claim to expire and another process sends it again. Its
/// <see cref="Id"/> is the <c>webhook-id</c> header, the same on every attempt, so receivers can drop duplicates.
/// All times are UTC.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }

    /// <summary><c>job.succeeded</c>, <c>job.failed</c> or <c>batch.completed</c>.</summary>
    public required string EventType { get; set; }

    /// <summary>Names the event (type, subject and time): unique per subscription, so a duplicate event adds no delivery.</summary>
    public required string EventKey { get; set; }

    public Guid? JobId { get; set; }
    public Guid? BatchId { get; set; }

    public required string Url { get; set; }

    /// <summary>The exact body sent on every attempt: <c>{ "type", "timestamp", "data" }</c>.</summary>
    public required string Payload { get; set; }

    public WebhookDeliveryStatus Status { get; set; }
    /// <summary>Attempts since <see cref="ScheduleStartedAt"/> (the backoff's step); every attempt ever made is in <see cref="Attempts"/>.</summary>
    public int AttemptCount { get; set; }

    public DateTime CreatedAt { get; set; }
    /// <summary>Start of the retry schedule: creation, or a manual re-send of a dead delivery.</summary>
    public DateTime ScheduleStartedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>When it was delivered, declared dead or cancelled.</summary>
    public DateTime? CompletedAt { get; set; }

    public Guid? ClaimToken { get; set; }
    public DateTime? ClaimExpiresAt { get; set; }

    public List<WebhookAttempt> Attempts { get; set; } = [];
}

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Retries exhausted (or the receiver answered 410); <c>POST /deliveries/{id}/retry</c> sends it again.</summary>
    Dead,
    /// <summary>Its subscription was deleted or disabled before it could be sent.</summary>
    Cancelled,
}
