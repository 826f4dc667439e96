using System.Net;
using System.Text.Json.Nodes;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

public static class ServiceUnavailableAssertions
{
    /// <summary>503 problem details with the stable code service_unavailable and a Retry-After for the client.</summary>
    public static async Task AssertServiceUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"expected 503, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("service_unavailable", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"503 without a Retry-After: {response.Headers}");
    }
}
