namespace SpeechEmotion.Persistence.Webhooks;

/// <summary>One HTTP try of a <see cref="WebhookDelivery"/>: what the receiver answered, or why there was no answer.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTime AttemptedAt { get; set; }
    /// <summary>The receiver's HTTP status; null when none came (refused, timed out, address not allowed).</summary>
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    /// <summary>The start of the receiver's answer body, for troubleshooting.</summary>
    public string? ResponsePrefix { get; set; }
    public int DurationMs { get; set; }
}
