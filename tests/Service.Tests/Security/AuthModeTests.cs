using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>Auth:Mode: Open by default when embedded (and said loudly), ApiKeys by default when distributed.</summary>
public sealed class AuthModeTests
{
    [Fact]
    public async Task Embedded_default_is_open_and_warns_at_start_up()
    {
        var logs = new CapturedLogs();
        await using var api = EmbeddedApi.With(new Dictionary<string, string?>(), logs.AddTo);
        using var client = api.CreateClient();

        Assert.Contains(AuthModeAnnouncement.OpenModeWarning, logs.Messages);
        // Open: no key, and the job is the default tenant's.
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        Assert.Equal(Tenant.DefaultId, (await api.ReadJobRowAsync(id)).TenantId);
    }

    [Fact]
    public async Task Api_keys_mode_does_not_warn()
    {
        var logs = new CapturedLogs();
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings(), logs.AddTo);
        using var client = api.CreateClient();
        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(AuthModeAnnouncement.OpenModeWarning, logs.Messages);
    }

    [Theory]
    [InlineData("Embedded", null, AuthMode.Open)]
    [InlineData("Distributed", null, AuthMode.ApiKeys)]       // distributed never starts open by default...
    [InlineData("Distributed", "Open", AuthMode.Open)]        // ...only when told so explicitly
    [InlineData("Embedded", "ApiKeys", AuthMode.ApiKeys)]
    [InlineData("Distributed", "apikeys", AuthMode.ApiKeys)]
    public void The_mode_follows_the_service_mode_unless_configured(string serviceMode, string? authMode, AuthMode expected)
    {
        Assert.Equal(expected, ResolvedMode(serviceMode, authMode));
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        Assert.ThrowsAny<Exception>(() => ResolvedMode("Distributed", "Anonymous"));
    }

    private static AuthMode ResolvedMode(string serviceMode, string? authMode)
    {
        var settings = new Dictionary<string, string?> { ["SpeechEmotion:Mode"] = serviceMode };
        if (authMode is not null)
        {
            settings["Auth:Mode"] = authMode;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddAuthMode();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<AuthOptions>>().Value.Mode!.Value;
    }
}
