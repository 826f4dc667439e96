using Microsoft.Extensions.Configuration;

namespace SpeechEmotion.Persistence.Hosting;

/// <summary>
/// How the service is deployed (<c>SpeechEmotion:Mode</c>). Embedded: one process, SQLite, in-memory bus.
/// Distributed: PostgreSQL + RabbitMQ, the Api publishes and separate Worker processes consume.
/// </summary>
public enum ServiceMode
{
    Embedded,
    Distributed,
}

public static class ServiceModeConfiguration
{
    public const string Key = "SpeechEmotion:Mode";

    public static ServiceMode ReadServiceMode(this IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return ServiceMode.Embedded;
        }
        return Enum.TryParse<ServiceMode>(value, ignoreCase: true, out var mode)
            ? mode
            : throw new InvalidOperationException($"{Key} is '{value}'; expected Embedded or Distributed.");
    }
}
