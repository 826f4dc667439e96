using System.Net;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>Auth:Mode=ApiKeys: which requests get in, and the 401 problem details of those that do not.</summary>
public sealed class ApiKeyAuthenticationTests
{
    private const string UnknownJob = "/jobs/0199a2b4-0000-7000-8000-000000000000";

    [Fact]
    public async Task No_key_is_401_missing_api_key_with_a_bearer_challenge()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        using var client = api.CreateClient();

        using var response = await client.GetAsync(UnknownJob);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey);
        await (await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1))))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey, "POST /jobs");
        await (await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.Tone(1))))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey, "POST /emotion");
    }

    [Fact]
    public async Task The_live_socket_takes_its_key_from_the_query_and_no_other_endpoint_does()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (_, key) = await api.CreateKeyAsync("tenant-a");
        using var client = api.CreateClient();

        // Past authentication, a plain GET of /live is refused for not being a WebSocket handshake.
        await (await client.GetAsync($"/live?key={Uri.EscapeDataString(key)}")).AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.WebSocketRequired);
        await (await client.GetAsync("/live")).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey, "/live without a key");
        await (await client.GetAsync($"/live?key={Uri.EscapeDataString(ApiKeySecret.NewKey())}")).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.InvalidApiKey);
        await (await client.GetAsync($"{UnknownJob}?key={Uri.EscapeDataString(key)}")).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey, "?key= on /jobs");
    }

    [Fact]
    public async Task A_key_the_service_did_not_make_is_401_invalid_api_key()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        await api.CreateKeyAsync("tenant-a");
        using var client = api.ClientWithKey(ApiKeySecret.NewKey());

        await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.InvalidApiKey);
    }

    [Fact]
    public async Task A_revoked_key_is_401_revoked_api_key_from_the_next_request_on()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (keyId, secret) = await api.CreateKeyAsync("tenant-a");
        using var client = api.ClientWithKey(secret);
        await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.JobNotFound, "before revoking");

        await api.RevokeKeyAsync(keyId);

        await (await client.GetAsync(UnknownJob)).AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.RevokedApiKey, "after revoking");
    }

    [Fact]
    public async Task The_key_is_accepted_as_bearer_token_and_as_x_api_key()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        var (_, secret) = await api.CreateKeyAsync("tenant-a");
        using var bearer = api.ClientWithKey(secret);
        using var header = api.CreateClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", secret);

        var viaBearer = await api.SubmitAsync(bearer, GeneratedAudio.Tone(1));
        var viaHeader = await api.SubmitAsync(header, GeneratedAudio.Tone(1));

        // The same tenant: each client sees the other's job.
        await EmbeddedApi.GetJobAsync(header, viaBearer);
        await EmbeddedApi.GetJobAsync(bearer, viaHeader);
    }

    [Fact]
    public async Task Health_metrics_and_the_openapi_document_need_no_key()
    {
        await using var api = EmbeddedApi.With(ApiKeys.KeysModeSettings());
        using var client = api.CreateClient();
        foreach (var path in new[] { "/health/live", "/health/ready", "/metrics", "/openapi/v1.json" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }
}
