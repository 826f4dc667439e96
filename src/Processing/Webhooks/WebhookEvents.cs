namespace SpeechEmotion.Processing.Webhooks;

/// <summary>The event types a subscription can ask for (the <c>type</c> of a delivery's body).</summary>
public static class WebhookEvents
{
    public const string JobSucceeded = "job.succeeded";
    public const string JobFailed = "job.failed";
    public const string BatchCompleted = "batch.completed";

    public static IReadOnlyList<string> All { get; } = [JobSucceeded, JobFailed, BatchCompleted];
}
