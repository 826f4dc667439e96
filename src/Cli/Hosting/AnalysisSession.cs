using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Inference;

namespace SpeechEmotion.Cli.Hosting;

/// <summary>Settings a verb may change; everything else is the service's default (src/Analysis).</summary>
/// <param name="ModelPath">--model: another ONNX model than the one shipped with the tool.</param>
/// <param name="ClassPrior">--prior: Analysis:ClassPrior, weights by label; null for off.</param>
/// <param name="MaxDuration">A longer limit than the service's, for verbs that cut a long call into windows.</param>
public sealed record AnalysisSettings(
    string? ModelPath = null,
    IReadOnlyDictionary<string, double>? ClassPrior = null,
    TimeSpan? MaxDuration = null)
{
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        const string section = AnalysisOptions.SectionName;
        if (ModelPath is not null)
        {
            yield return new($"{section}:{nameof(AnalysisOptions.ModelPath)}", Path.GetFullPath(ModelPath));
        }

        foreach (var (label, weight) in ClassPrior ?? new Dictionary<string, double>())
        {
            yield return new($"{section}:{nameof(AnalysisOptions.ClassPrior)}:{label}", weight.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (MaxDuration is { } maxDuration)
        {
            yield return new($"{section}:{nameof(AnalysisOptions.MaxDuration)}", maxDuration.ToString("c"));
        }
    }
}

/// <summary>
/// The service's analysis path, in this process: the same registration the API and the worker make
/// (<see cref="AnalysisServiceCollectionExtensions.AddEmotionAnalysis"/>), started as they start it, so the model is
/// loaded, checked and warmed, and bad settings stop the tool before the first clip. Only the tool's own options
/// configure it (not appsettings.json or the environment), so a measurement says exactly what it was run with.
/// </summary>
public sealed class AnalysisSession : IAsyncDisposable
{
    private readonly IHost host;

    private AnalysisSession(IHost host) => this.host = host;

    /// <summary>The service's analysis of a recording (what POST /jobs and POST /emotion run): decode, speech
    /// detection, 4-s windows in batches, weighted by speech duration.</summary>
    public CallAnalyzer Analyzer => host.Services.GetRequiredService<CallAnalyzer>();

    /// <summary>The recording as 16 kHz mono samples, for what the verbs build from it (perturbed versions, windows of
    /// a call, the untrimmed row).</summary>
    public AudioDecoder Decoder => host.Services.GetRequiredService<AudioDecoder>();

    public EmotionClassifier Classifier => host.Services.GetRequiredService<EmotionClassifier>();

    public static async Task<AnalysisSession> StartAsync(AnalysisSettings settings, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        builder.Services.AddEmotionAnalysis(builder.Configuration);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new AnalysisSession(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
