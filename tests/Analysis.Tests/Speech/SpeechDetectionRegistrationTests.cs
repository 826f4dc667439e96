using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis.Tests.Speech;

/// <summary>AddSpeechDetection as a host uses it: options from "Analysis:Speech", checked when the host starts.</summary>
public sealed class SpeechDetectionRegistrationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSpeechDetection();
        return builder.Build();
    }

    [Fact]
    public async Task Settings_are_bound_and_one_detector_serves_the_process()
    {
        using var host = BuildHost(new() { ["Analysis:Speech:Threshold"] = "0.6", ["Analysis:Speech:MinSilenceMs"] = "300" });

        await host.StartAsync();

        var detector = host.Services.GetRequiredService<SpeechDetector>();
        Assert.Same(detector, host.Services.GetRequiredService<SpeechDetector>());
        Assert.Equal(0.6f, detector.Options.Threshold);
        Assert.Equal(300, detector.Options.MinSilenceMs);
        Assert.Empty(detector.Detect(new float[16000]));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Threshold", "1.5", "Threshold")]
    [InlineData("NegativeThreshold", "0.7", "NegativeThreshold")]
    [InlineData("SpeechPadMs", "80", "SpeechPadMs (80)")]
    public async Task Bad_settings_stop_start_up_and_say_which(string key, string value, string named)
    {
        using var host = BuildHost(new() { [$"Analysis:Speech:{key}"] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message);
    }
}
