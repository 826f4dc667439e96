namespace SpeechEmotion.Processing.Webhooks;

/// <summary>Webhook delivery settings, bound from the configuration section "Webhooks".</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Lets receivers on loopback, private, link-local and multicast addresses through (tests, on-premises CRMs).
    /// Off: such URLs are refused at submission, and names resolving to them are refused at delivery.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often a process looks for due deliveries when nothing woke it earlier.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before the first retry; each further wait is <see cref="BackoffMultiplier"/> times longer.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    public double BackoffMultiplier { get; set; } = 4;
    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);
    /// <summary>Each wait is stretched or shrunk at random by up to this fraction, so receivers are not hit in lockstep.</summary>
    public double JitterFraction { get; set; } = 0.2;
    /// <summary>How long a delivery is retried from its first attempt; its last attempt is made at this age, then it is dead.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whole request (connect, send, answer headers, first bytes of the body).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How long a process owns a delivery it claimed. Longer than a request, so two processes never send the same
    /// attempt at once; a process that died mid-send leaves it to the others after this.
    /// </summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Deliveries one process sends at once.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>After a secret rotation, deliveries are signed with the old secret too for this long.</summary>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    public bool IsValid =>
        PollInterval > TimeSpan.Zero && FirstRetryDelay > TimeSpan.Zero && BackoffMultiplier >= 1
        && MaxRetryDelay >= FirstRetryDelay && JitterFraction is >= 0 and < 1 && RetryFor > TimeSpan.Zero
        && RequestTimeout > TimeSpan.Zero && ConnectTimeout > TimeSpan.Zero && ClaimDuration > RequestTimeout
        && MaxConcurrentDeliveries > 0 && SecretRotationOverlap >= TimeSpan.Zero;
}
