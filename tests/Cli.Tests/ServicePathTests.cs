using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Cli.Tests.Support;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.TestSupport.Audio;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Cli.Tests;

/// <summary>
/// Both verbs answer what the service answers (issue 10: the service's own decode → speech detection → model path):
/// the same file through the tool and through <see cref="CallAnalyzer"/>, resolved from the service's registration,
/// gives the same probabilities. The clip is what trips a simpler path: 2 s of digital silence before the speech and
/// a −60 dBFS noise floor under all of it.
/// </summary>
public sealed class ServicePathTests : IDisposable
{
    private const string ClipName = "Actor_01/03-01-01-01-01-01-01.wav";

    private readonly TempFolder corpus = new("cli-tests-");
    private readonly byte[] clip;
    private readonly double clipSeconds;

    public ServicePathTests()
    {
        var speech = TestSignals.Concat(SyntheticSpeech.Agent, TestSignals.Silence(0.3), SyntheticSpeech.Customer);
        var floor = TestSignals.WhiteNoise(speech.Length / 16000.0, amplitude: (float)Math.Pow(10, -60 / 20.0) * MathF.Sqrt(3));
        var noisy = speech.Zip(floor, (voice, noise) => voice + noise).ToArray();
        var samples = TestSignals.Concat(TestSignals.Silence(2), noisy);
        clip = TestWavWriter.Write(samples, encoding: WavEncoding.Float32);
        clipSeconds = samples.Length / 16000.0;
        corpus.Write(ClipName, clip);
    }

    public void Dispose() => corpus.Dispose();

    [Fact]
    public async Task Evaluate_gives_the_probabilities_the_service_gives()
    {
        var (service, raw) = await AnalyzeAsServiceAsync(clip);

        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var tool = run.Json().GetProperty("clipResults")[0].GetProperty("probabilities");
        foreach (var (label, probability) in service.Probabilities)
        {
            Assert.Equal(probability, tool.GetProperty(label).GetDouble(), 1e-6);
        }

        // The model fed the whole decoded clip answers otherwise, so the comparison above tells the two paths apart.
        Assert.Contains(service.Probabilities, pair => Math.Abs(pair.Value - raw[pair.Key]) > 1e-4);
    }

    [Fact]
    public async Task Windows_gives_each_window_the_emotion_the_service_gives()
    {
        // One window (the next whole second) holds the whole clip, sent as the same 16 kHz float WAV the file already is.
        var (service, _) = await AnalyzeAsServiceAsync(clip);
        var window = Math.Ceiling(clipSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var run = await CliRun.RunAsync("windows", Path.Combine(corpus.Root, ClipName), "--window", window, "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var only = run.Json().GetProperty("timeline").EnumerateArray().Single();
        Assert.Equal(service.Emotion, only.GetProperty("emotion").GetString());
    }

    /// <summary>The service's answer for one upload, and the model's for the whole decoded upload (no speech detection).</summary>
    private static async Task<(EmotionResult Service, IReadOnlyDictionary<string, float> Raw)> AnalyzeAsServiceAsync(byte[] upload)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddEmotionAnalysis(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var service = await host.Services.GetRequiredService<CallAnalyzer>()
                .AnalyzeAsync(new MemoryStream(upload), "clip.wav", AnalysisRequest.Default, CancellationToken.None);
            var decoded = await host.Services.GetRequiredService<AudioDecoder>().DecodeAsync(new MemoryStream(upload), "clip.wav", CancellationToken.None);
            var raw = EmotionLabels.ByLabel(host.Services.GetRequiredService<EmotionClassifier>().Classify(decoded.Samples));
            return (service, raw);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
