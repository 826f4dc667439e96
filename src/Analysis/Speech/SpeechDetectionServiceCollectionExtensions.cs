using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SpeechEmotion.Analysis.Speech;

public static class SpeechDetectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SpeechDetector"/> as a singleton with options from "Analysis:Speech", checked when the host
    /// starts (bad settings stop start-up, not the first call).
    /// </summary>
    public static IServiceCollection AddSpeechDetection(this IServiceCollection services)
    {
        services.AddOptions<SpeechDetectionOptions>()
            .BindConfiguration(SpeechDetectionOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpeechDetectionOptions>, SpeechDetectionOptionsValidator>();
        services.AddSingleton<SpeechDetector>();
        return services;
    }
}

/// <summary>Names every problem of the bound settings in the start-up error.</summary>
internal sealed class SpeechDetectionOptionsValidator : IValidateOptions<SpeechDetectionOptions>
{
    public ValidateOptionsResult Validate(string? name, SpeechDetectionOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"Analysis:Speech: {p}"));
    }
}
