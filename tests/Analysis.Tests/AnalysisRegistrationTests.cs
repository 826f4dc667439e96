using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Analysis.Tests;

/// <summary>AddEmotionAnalysis as a host uses it: options from "Analysis", the model checked at start-up.</summary>
public sealed class AnalysisRegistrationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEmotionAnalysis(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task A_host_with_the_served_model_starts_and_analyzes()
    {
        using var host = BuildHost(new() { ["Analysis:IntraOpThreads"] = "2", ["Analysis:MaxDuration"] = "00:00:30" });

        await host.StartAsync();

        Assert.Equal(2, host.Services.GetRequiredService<IOptions<AnalysisOptions>>().Value.IntraOpThreads);
        Assert.Equal(TimeSpan.FromSeconds(30), host.Services.GetRequiredService<IOptions<AnalysisOptions>>().Value.MaxDuration);
        Assert.Same(host.Services.GetRequiredService<CallAnalyzer>(), host.Services.GetRequiredService<CallAnalyzer>());
        Assert.StartsWith("cnn-", host.Services.GetRequiredService<EmotionClassifier>().ModelVersion);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_missing_model_stops_start_up()
    {
        using var host = BuildHost(new() { ["Analysis:ModelPath"] = "models/no-such-model.onnx" });

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => host.StartAsync());

        Assert.Contains("no-such-model.onnx", error.Message);
    }
}
