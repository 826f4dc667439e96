using System.Text.Json.Nodes;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

public static class JobAssertions
{
    /// <summary>A succeeded job carries a full, normalised distribution over the seven labels and names its argmax.</summary>
    public static void AssertValidResult(JsonObject job)
    {
        Assert.Equal("succeeded", DistributedSystem.StatusOf(job));
        var result = job["result"]!.AsObject();
        var probabilities = result["probabilities"]!.AsObject()
            .ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<double>());

        Assert.Equal(EmotionLabels.All.Order(), probabilities.Keys.Order());
        Assert.All(probabilities.Values, p => Assert.InRange(p, 0.0, 1.0));
        Assert.InRange(probabilities.Values.Sum(), 1 - 1e-5, 1 + 1e-5);

        var emotion = result["emotion"]!.GetValue<string>();
        Assert.Equal(probabilities.MaxBy(pair => pair.Value).Key, emotion);
        Assert.False(string.IsNullOrWhiteSpace(result["modelVersion"]?.GetValue<string>()), "result.modelVersion is missing");
    }
}
