using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Inference;

/// <summary>
/// A host disposes its singletons at shutdown while consumers may still be classifying. Disposing an ONNX Runtime
/// session under a running Run frees native memory in use and kills the process, so this test would crash the test
/// host if the classifier did not wait for runs in flight.
/// </summary>
public sealed class ClassifierLifetimeTests
{
    [Fact]
    public async Task Dispose_waits_for_runs_in_flight_and_later_runs_are_refused()
    {
        var classifier = new EmotionClassifier(ModelFiles.Cnn);
        var waveform = new float[48000];
        for (var i = 0; i < waveform.Length; i++)
        {
            waveform[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 200 * i / 16000.0));
        }

        using var stop = new CancellationTokenSource();
        var completed = 0;
        var runners = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Assert.Equal(7, classifier.Classify(waveform).Length);
                    Interlocked.Increment(ref completed);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        })).ToArray();

        while (Volatile.Read(ref completed) < 8)
        {
            await Task.Delay(5);
        }
        classifier.Dispose();
        stop.Cancel();
        await Task.WhenAll(runners);

        Assert.Throws<ObjectDisposedException>(() => classifier.Classify(waveform));
        classifier.Dispose(); // a second Dispose is harmless
    }
}
