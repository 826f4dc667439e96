using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Hosting;

namespace SpeechEmotion.Persistence.Tenancy;

public enum AuthMode
{
    /// <summary>No key needed; every caller is the one default tenant. Embedded mode's default.</summary>
    Open,
    /// <summary>Every request needs a key (Authorization: Bearer, or X-Api-Key); its tenant sees only its own data.</summary>
    ApiKeys,
}

/// <summary>
/// <c>Auth:Mode</c>. Unset, it follows the service mode: Open when embedded (one command on a laptop), ApiKeys when
/// distributed, so a distributed Api or Worker never runs open unless the configuration says Open in so many words.
/// Deliberately not in appsettings.json: a value there would count as "said" for both modes.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public AuthMode? Mode { get; set; }

    public bool IsOpen => Mode == AuthMode.Open;
}

public static class AuthModeRegistration
{
    /// <summary>Binds <see cref="AuthOptions"/> (with the default by service mode) and logs the mode when the host starts.</summary>
    public static IServiceCollection AddAuthMode(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .PostConfigure<IConfiguration>((auth, configuration) =>
                auth.Mode ??= configuration.ReadServiceMode() == ServiceMode.Embedded ? AuthMode.Open : AuthMode.ApiKeys)
            .ValidateOnStart();
        services.AddHostedService<AuthModeAnnouncement>();
        return services;
    }
}

/// <summary>Open mode is said loudly, as a warning, every time a host starts: it must never go unnoticed.</summary>
public sealed class AuthModeAnnouncement(IOptions<AuthOptions> auth, ILogger<AuthModeAnnouncement> logger) : IHostedService
{
    public const string OpenModeWarning =
        "Auth:Mode is Open: requests need no API key and every caller is the one default tenant. Set Auth:Mode=ApiKeys "
        + "and create keys (dotnet run --project src/Api -- keys create --tenant NAME) before anyone else can reach this service.";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (auth.Value.IsOpen)
        {
            logger.LogWarning(OpenModeWarning);
        }
        else
        {
            logger.LogInformation("Auth:Mode is ApiKeys: every request needs an API key of a tenant");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
