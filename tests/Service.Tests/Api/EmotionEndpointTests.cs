using System.Net;
using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Api;

public sealed class EmotionEndpointTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Answers_exactly_emotion_and_probabilities()
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.Tone(3)));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var answer = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["emotion", "probabilities"], answer.Select(p => p.Key));
        var probabilities = answer["probabilities"]!.AsObject();
        Assert.Equal(EmotionLabels.All, probabilities.Select(p => p.Key));
        Assert.InRange(probabilities.Sum(p => p.Value!.GetValue<double>()), 1 - 1e-5, 1 + 1e-5);
        var top = probabilities.MaxBy(p => p.Value!.GetValue<double>()).Key;
        Assert.Equal(top, answer["emotion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_audio_answers_422_with_the_job_error_code()
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.Silence(3)));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no_speech", problem["code"]!.GetValue<string>());
        var job = await EmbeddedApi.GetJobAsync(client, problem["jobId"]!.GetValue<Guid>());
        Assert.Equal("no_speech", job["error"]!["code"]!.GetValue<string>());
    }
}

/// <summary>A job slower than Emotion:WaitTimeout: POST /emotion hands over the job instead of hanging.</summary>
public sealed class EmotionWaitTimeoutTests
{
    [Fact]
    public async Task Past_the_wait_it_answers_202_with_the_job_link()
    {
        // The job cannot finish while the test runs (it waits an hour before analysis), so a 202 can only come from
        // the wait timing out: no wall-clock measurement needed.
        using var api = EmbeddedApi.With(new Dictionary<string, string?>
        {
            ["Emotion:WaitTimeout"] = "00:00:00.300",
            ["Processing:DelayBeforeAnalysis"] = "01:00:00",
        });
        using var client = api.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(2);   // a waiter that never gave up would fail the test, not hang it
        using var response = await client.PostAsync("/emotion", EmbeddedApi.Upload(GeneratedAudio.Tone(1)));
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = accepted["id"]!.GetValue<Guid>();
        Assert.Equal($"/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/jobs/{id}", accepted["links"]!["self"]!.GetValue<string>());
        var job = await EmbeddedApi.GetJobAsync(client, id);
        Assert.Contains(job["status"]!.GetValue<string>(), new[] { "queued", "processing" });
    }
}
