using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>Keys for tests of Auth:Mode=ApiKeys, made through the service's own <see cref="ApiKeyStore"/>.</summary>
public static class ApiKeys
{
    public static Dictionary<string, string?> KeysModeSettings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "ApiKeys" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    public static async Task<(Guid Id, string Secret)> CreateKeyAsync(this EmbeddedApi api, string tenant)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var (key, secret) = await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().CreateAsync(tenant, CancellationToken.None);
        return (key.Id, secret);
    }

    /// <summary>The tenant a key belongs to.</summary>
    public static async Task<Guid> TenantOfKeyAsync(this EmbeddedApi api, Guid keyId)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<JobsDbContext>().ApiKeys.SingleAsync(k => k.Id == keyId)).TenantId;
    }

    public static async Task RevokeKeyAsync(this EmbeddedApi api, Guid keyId)
    {
        await using var scope = api.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().RevokeAsync(keyId, CancellationToken.None));
    }

    /// <summary>A client that sends the key as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient ClientWithKey(this EmbeddedApi api, string secret)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }
}
