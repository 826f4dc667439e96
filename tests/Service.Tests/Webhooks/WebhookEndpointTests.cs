using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

/// <summary>The subscription endpoints and their refusals, on an Api with the SSRF guard on (the default).</summary>
public sealed class WebhookEndpointTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Subscription_is_created_with_a_secret_shown_once_listed_rotated_and_deleted()
    {
        using var client = api.CreateClient();

        using var created = await client.PostAsJsonAsync("/webhooks", new { url = "https://crm.example.com/hooks", events = new[] { "job.succeeded", "job.failed" } });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = body["id"]!.GetValue<Guid>();
        Assert.Equal($"/webhooks/{id}", created.Headers.Location?.OriginalString);
        Assert.StartsWith("whsec_", body["secret"]!.GetValue<string>());
        Assert.Equal("active", body["status"]!.GetValue<string>());

        var listed = JsonNode.Parse(await client.GetStringAsync("/webhooks"))!["items"]!.AsArray()
            .Single(w => w!["id"]!.GetValue<Guid>() == id)!;
        Assert.Equal("https://crm.example.com/hooks", listed["url"]!.GetValue<string>());
        Assert.Equal(["job.succeeded", "job.failed"], listed["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Null(listed["secret"]);
        Assert.Null(JsonNode.Parse(await client.GetStringAsync($"/webhooks/{id}"))!["secret"]);

        var first = body["secret"]!.GetValue<string>();
        var rotated = await WebhookApi.RotateSecretAsync(client, id.ToString());
        Assert.StartsWith("whsec_", rotated);
        Assert.NotEqual(first, rotated);
        var afterRotation = JsonNode.Parse(await client.GetStringAsync($"/webhooks/{id}"))!;
        Assert.InRange(afterRotation["previousSecretExpiresAt"]!.GetValue<DateTime>(), DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/webhooks/{id}")).StatusCode);
        await (await client.GetAsync($"/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await client.DeleteAsync($"/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        Assert.DoesNotContain(JsonNode.Parse(await client.GetStringAsync("/webhooks"))!["items"]!.AsArray(), w => w!["id"]!.GetValue<Guid>() == id);
    }

    [Fact]
    public async Task The_callbacks_secret_is_rotated_like_a_subscriptions_and_never_listed()
    {
        using var client = api.CreateClient();

        var first = await WebhookApi.RotateSecretAsync(client, "callbacks");
        var second = await WebhookApi.RotateSecretAsync(client, "callbacks");

        Assert.StartsWith("whsec_", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(JsonNode.Parse(await client.GetStringAsync("/webhooks"))!["items"]!.AsArray(), w => w!["url"] is null);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/hook")]
    [InlineData("http://10.0.0.7/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://224.0.0.1/hook")]
    [InlineData("http://localhost/hook")]
    public async Task Private_address_is_refused_at_submission(string url)
    {
        using var client = api.CreateClient();

        var subscribe = await client.PostAsJsonAsync("/webhooks", new { url, events = new[] { "job.succeeded" } });
        await subscribe.AssertProblemAsync(HttpStatusCode.BadRequest, "webhook_address_not_allowed");

        var job = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(1), callbackUrl: url));
        await job.AssertProblemAsync(HttpStatusCode.BadRequest, "webhook_address_not_allowed");
    }

    [Theory]
    [InlineData("""{"url":"ftp://example.com/hook","events":["job.succeeded"]}""", "invalid_webhook_url")]
    [InlineData("""{"url":"/relative","events":["job.succeeded"]}""", "invalid_webhook_url")]
    [InlineData("""{"events":["job.succeeded"]}""", "invalid_webhook_url")]
    [InlineData("""{"url":"https://example.com/hook"}""", "invalid_webhook_events")]
    [InlineData("""{"url":"https://example.com/hook","events":[]}""", "invalid_webhook_events")]
    [InlineData("""{"url":"https://example.com/hook","events":["job.done"]}""", "invalid_webhook_events")]
    [InlineData("""{"url":"https://example.com/hook","events":"job.succeeded"}""", "invalid_request")]
    [InlineData("""{"url":""", "invalid_request")]
    [InlineData("null", "invalid_request")]
    [InlineData("[]", "invalid_request")]
    public async Task Bad_subscription_is_refused_with_a_problem(string json, string code)
    {
        using var client = api.CreateClient();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        await (await client.PostAsync("/webhooks", content)).AssertProblemAsync(HttpStatusCode.BadRequest, code, json);
    }

    [Fact]
    public async Task Subscription_that_is_not_JSON_is_refused_with_a_problem()
    {
        using var client = api.CreateClient();
        using var text = new StringContent("url=https://example.com/hook", Encoding.UTF8, "text/plain");

        var response = await client.PostAsync("/webhooks", text);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "not_json");
    }

    [Fact]
    public async Task OpenAPI_document_describes_the_subscription_body()
    {
        using var client = api.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var body = document["paths"]!["/webhooks"]!["post"]!["requestBody"]!;
        Assert.True(body["required"]!.GetValue<bool>());
        Assert.NotNull(body["content"]!["application/json"]!["schema"]);
        Assert.NotNull(document["paths"]!["/jobs/{id}/deliveries"]!["get"]);
        Assert.NotNull(document["paths"]!["/deliveries/{id}/retry"]!["post"]);
    }

    [Fact]
    public async Task Unknown_ids_are_404_with_their_codes()
    {
        using var client = api.CreateClient();

        await (await client.GetAsync("/webhooks/not-a-guid")).AssertProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await client.PostAsync($"/webhooks/{Guid.NewGuid()}/rotate-secret", null)).AssertProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await client.GetAsync($"/jobs/{Guid.NewGuid()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound, "job_not_found");
        await (await client.PostAsync($"/deliveries/{Guid.NewGuid()}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound, "delivery_not_found");
    }
}
