using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis;

public static class AnalysisServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CallAnalyzer"/> (the one path from a recording to an emotion), <see cref="AudioDecoder"/>,
    /// <see cref="EmotionClassifier"/> and the <see cref="SpeechDetector"/> as singletons with options from the "Analysis" section. The model is loaded, checked and warmed up when the host starts, so a missing or wrong
    /// model stops start-up.
    /// </summary>
    public static IServiceCollection AddEmotionAnalysis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnalysisOptions>().BindConfiguration(AnalysisOptions.SectionName).ValidateOnStart();
        // A factory, so the container builds (and disposes) the classifier from the bound options.
        services.AddSingleton(provider => new EmotionClassifier(provider.GetRequiredService<IOptions<AnalysisOptions>>()));
        services.AddSpeechDetection();
        services.AddSingleton(provider => new AudioDecoder(provider.GetRequiredService<IOptions<AnalysisOptions>>().Value));
        services.AddOptions<CallOptions>().BindConfiguration(CallOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallOptions>, CallOptionsValidator>();
        services.AddSingleton<CallAnalyzer>();
        services.AddHostedService<ModelWarmUp>();
        return services;
    }
}

/// <summary>Names every problem of the bound "Analysis:Calls" settings in the start-up error.</summary>
internal sealed class CallOptionsValidator : IValidateOptions<CallOptions>
{
    public ValidateOptionsResult Validate(string? name, CallOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"{CallOptions.SectionName}: {p}"));
    }
}
