namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// When a failed delivery is tried again: exponential backoff (FirstRetryDelay × BackoffMultiplier^n, capped at
/// MaxRetryDelay) with random jitter, until RetryFor has passed since the schedule started. The last attempt is made
/// at that age, not before it, so a receiver down for nearly the whole window still gets the event.
/// The defaults: about 5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, then every 6 h, the last one at 24 h.
/// </summary>
public sealed class RetrySchedule(WebhookOptions options, Random random)
{
    /// <returns>The time of the next attempt, or null when the delivery is out of retries (dead).</returns>
    public DateTime? NextAttemptAt(DateTime scheduleStartedAt, int attemptsMade, DateTime now)
    {
        var giveUpAt = scheduleStartedAt + options.RetryFor;
        if (now >= giveUpAt)
        {
            return null;
        }
        var jitter = 1 + options.JitterFraction * (2 * random.NextDouble() - 1);
        var next = now + BaseDelay(attemptsMade) * jitter;
        return next < giveUpAt ? next : giveUpAt;
    }

    /// <summary>The wait after the <paramref name="attemptsMade"/>-th failed attempt, before jitter.</summary>
    public TimeSpan BaseDelay(int attemptsMade)
    {
        var exponent = Math.Max(0, attemptsMade - 1);
        var seconds = options.FirstRetryDelay.TotalSeconds * Math.Pow(options.BackoffMultiplier, exponent);
        return seconds >= options.MaxRetryDelay.TotalSeconds ? options.MaxRetryDelay : TimeSpan.FromSeconds(seconds);
    }
}
