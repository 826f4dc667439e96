using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

public sealed class JobEndpointTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Submitted_recording_ends_succeeded_with_seven_probabilities_summing_to_one()
    {
        using var client = api.CreateClient();
        using var form = EmbeddedApi.Upload(GeneratedAudio.Tone(3), metadata: """{"caller":"test","take":2}""",
            callbackUrl: "https://example.com/hook");
        using var response = await client.PostAsync("/jobs", form);
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = accepted["id"]!.GetValue<Guid>();
        Assert.Equal("queued", accepted["status"]!.GetValue<string>());
        Assert.Equal($"/jobs/{id}", accepted["links"]!["self"]!.GetValue<string>());
        Assert.Equal($"/jobs/{id}", response.Headers.Location?.OriginalString);

        var job = await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        Assert.True(job["status"]!.GetValue<string>() == "succeeded", job.ToJsonString());
        var result = job["result"]!.AsObject();
        var probabilities = result["probabilities"]!.AsObject();
        Assert.Equal(EmotionLabels.All, probabilities.Select(p => p.Key));
        Assert.InRange(probabilities.Sum(p => p.Value!.GetValue<double>()), 1 - 1e-5, 1 + 1e-5);
        Assert.Contains(result["emotion"]!.GetValue<string>(), EmotionLabels.All);
        Assert.False(string.IsNullOrWhiteSpace(result["modelVersion"]!.GetValue<string>()));
        Assert.Equal(3.0, result["audio"]!["durationSeconds"]!.GetValue<double>(), 3);
        Assert.Equal(16000, result["audio"]!["sampleRate"]!.GetValue<int>());
        Assert.Equal(1, result["audio"]!["channels"]!.GetValue<int>());
        Assert.Null(job["error"]);
        Assert.Equal("test", job["metadata"]!["caller"]!.GetValue<string>());
        Assert.Equal("https://example.com/hook", job["callbackUrl"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(GeneratedAudio.Tone(3))),
            job["recording"]!["sha256"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("not-a-job-id")]
    public async Task Unknown_job_is_a_404_problem(string id)
    {
        using var client = api.CreateClient();
        using var response = await client.GetAsync($"/jobs/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("job_not_found", problem["code"]!.GetValue<string>());
        Assert.Equal(404, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Health_and_openapi_answer()
    {
        using var client = api.CreateClient();

        Assert.True(await api.IsReadyAsync(client));
        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = JsonNode.Parse(await client.GetStringAsync("/health/ready"))!;
        Assert.NotNull(ready["checks"]!["database"]);
        var openApi = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        Assert.NotNull(openApi["paths"]!["/jobs"]);
        Assert.NotNull(openApi["paths"]!["/emotion"]);
    }
}
