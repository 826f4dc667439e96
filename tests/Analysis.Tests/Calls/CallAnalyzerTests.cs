using SpeechEmotion.Analysis.Calls;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Tests.Calls;

/// <summary>The service's entry point (what POST /jobs and POST /emotion run) end to end on short uploads.</summary>
public sealed class CallAnalyzerTests(CallFixture fixture) : IClassFixture<CallFixture>
{
    private static readonly byte[] SpeechLikeWav = TestWavWriter.Write(
        TestSignals.Concat(TestSignals.Silence(0.3), TestSignals.Syllables(2.4), TestSignals.Silence(0.3)));

    private Task<EmotionResult> AnalyzeAsync(byte[] upload, string fileName) =>
        fixture.Analyzer().AnalyzeAsync(new MemoryStream(upload), fileName, AnalysisRequest.Default, CancellationToken.None);

    [Fact]
    public async Task Gives_seven_probabilities_that_sum_to_one_and_the_most_probable_emotion()
    {
        var result = await AnalyzeAsync(SpeechLikeWav, "speech.wav");

        Assert.Equal(EmotionLabels.All.Order(), result.Probabilities.Keys.Order());
        Assert.InRange(result.Probabilities.Values.Sum(), 1 - 1e-5, 1 + 1e-5);
        Assert.Equal(result.Probabilities.MaxBy(pair => pair.Value).Key, result.Emotion);
        Assert.Equal(new AudioFacts(3.0, 16000, 1), result.Audio);
    }

    [Fact]
    public async Task Reports_the_original_rate_and_channels_of_a_compressed_upload()
    {
        var wav = TestWavWriter.Write(TestSignals.Syllables(2.0, sampleRate: 44100), sampleRate: 44100, channels: 2);
        var mp3 = TestTranscoder.Transcode(wav, ".mp3", "-c:a", "libmp3lame");

        var result = await AnalyzeAsync(mp3, "speech.mp3");

        Assert.Equal(44100, result.Audio.SampleRate);
        Assert.Equal(2, result.Audio.Channels);
        Assert.InRange(result.Audio.DurationSeconds, 1.95, 2.05);
    }

    [Fact]
    public async Task Eight_concurrent_analyses_each_get_the_answer_a_lone_one_gets()
    {
        var uploads = Enumerable.Range(0, 8)
            .Select(i => TestWavWriter.Write(TestSignals.Syllables(1.0 + (0.25 * i), frequency: 120 + (30 * i))))
            .ToArray();
        var alone = new List<EmotionResult>();
        foreach (var upload in uploads)
        {
            alone.Add(await AnalyzeAsync(upload, "speech.wav"));
        }

        var together = await Task.WhenAll(uploads.Select(upload => Task.Run(() => AnalyzeAsync(upload, "speech.wav"))));

        for (var i = 0; i < uploads.Length; i++)
        {
            Assert.Equal(alone[i].Emotion, together[i].Emotion);
            Assert.Equal(alone[i].Audio, together[i].Audio);
            foreach (var label in EmotionLabels.All)
            {
                Assert.Equal(alone[i].Probabilities[label], together[i].Probabilities[label], 1e-6f);
            }
        }
    }
}
