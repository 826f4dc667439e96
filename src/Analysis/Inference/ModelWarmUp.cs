using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SpeechEmotion.Analysis.Inference;

/// <summary>
/// Loads and checks the model when the host starts (a bad model stops start-up, not the first request) and runs one
/// inference, because ONNX Runtime's first Run allocates and plans and would otherwise land on a user's request.
/// </summary>
internal sealed class ModelWarmUp(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var classifier = services.GetRequiredService<EmotionClassifier>();
        classifier.Classify(WarmUpSignal());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A second of a quiet tone; not silence, which per-utterance normalisation may turn into NaN.</summary>
    private static float[] WarmUpSignal()
    {
        var signal = new float[16000];
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] = 0.1f * MathF.Sin(2 * MathF.PI * 220 * i / 16000f);
        }

        return signal;
    }
}
