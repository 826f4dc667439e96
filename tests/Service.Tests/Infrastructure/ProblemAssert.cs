using System.Net;
using System.Text.Json.Nodes;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>The one check every refused request must pass: its status, application/problem+json, and its stable code.</summary>
public static class ProblemAssert
{
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code, string? what = null)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{what} {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(body)!;
            Assert.Equal(code, problem["code"]!.GetValue<string>());
            return problem;
        }
    }

    /// <summary>The same check on an answer read off a raw socket.</summary>
    public static JsonNode AssertProblem(this RawHttpAnswer answer, int status, string code)
    {
        Assert.True(answer.Status == status, $"{answer.Status} {answer.Head}\n{answer.Body}");
        Assert.StartsWith("application/problem+json", answer.ContentType);
        var problem = JsonNode.Parse(answer.Body)!;
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        return problem;
    }
}
