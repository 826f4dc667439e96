using System.Text.Json;
using SpeechEmotion.Processing.Jobs;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>
/// The body of every delivery: <c>{ "type", "timestamp", "data" }</c>, with <c>data</c> written by the same writer
/// as the Api's answer (a job: <see cref="JobViews.Describe"/>, exactly what <c>GET /jobs/{id}</c> shows).
/// </summary>
public sealed record WebhookEnvelope(string Type, DateTime Timestamp, object Data)
{
    public string ToJson() => JsonSerializer.Serialize(this, JobViews.JsonOptions);
}
