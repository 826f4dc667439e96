using System.Diagnostics;
using SpeechEmotion.Analysis.Inference;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Emotions;
using Xunit.Abstractions;

namespace SpeechEmotion.Analysis.Tests;

/// <summary>The public entry point end to end, with the served model.</summary>
public sealed class RecordingAnalyzerTests(ServedModelFixture model, ITestOutputHelper output) : IClassFixture<ServedModelFixture>
{
    private static readonly byte[] SpeechLikeWav = TestWavWriter.Write(
        TestSignals.Concat(TestSignals.Silence(0.3), TestSignals.Syllables(2.4), TestSignals.Silence(0.3)));

    private Task<EmotionAnalysis> AnalyzeAsync(byte[] upload, string fileName) =>
        model.Analyzer.AnalyzeAsync(new MemoryStream(upload), fileName, CancellationToken.None);

    [Fact]
    public async Task Gives_seven_probabilities_that_sum_to_one_and_the_most_probable_emotion()
    {
        var analysis = await AnalyzeAsync(SpeechLikeWav, "speech.wav");

        Assert.Equal(EmotionLabels.All.Order(), analysis.Probabilities.Keys.Order());
        Assert.InRange(analysis.Probabilities.Values.Sum(), 1 - 1e-5, 1 + 1e-5);
        Assert.Equal(analysis.Probabilities.MaxBy(pair => pair.Value).Key, analysis.Emotion);
        Assert.Equal(model.Classifier.ModelVersion, analysis.ModelVersion);
        Assert.Equal(new AudioInfo(3.0, 16000, 1), analysis.Audio);
    }

    [Fact]
    public async Task DecodeAsync_gives_the_whole_16_kHz_recording_before_trimming()
    {
        var decoded = await model.Analyzer.DecodeAsync(new MemoryStream(SpeechLikeWav), "speech.wav", CancellationToken.None);

        // 0.3 + 2.4 + 0.3 s at 16 kHz, the silent ends included: trimming is the analyzer's next step, not decoding's.
        Assert.Equal(48000, decoded.Length);
        Assert.Equal(0f, decoded[100]);
        Assert.Equal(0f, decoded[^100]);
        await Assert.ThrowsAsync<AudioRejectedException>(() =>
            model.Analyzer.DecodeAsync(new MemoryStream("not audio at all"u8.ToArray()), "notes.wav", CancellationToken.None));
    }

    [Fact]
    public async Task Reports_the_original_rate_and_channels_of_a_compressed_upload()
    {
        var wav = TestWavWriter.Write(TestSignals.Syllables(2.0, sampleRate: 44100), sampleRate: 44100, channels: 2);
        var mp3 = TestTranscoder.Transcode(wav, ".mp3", "-c:a", "libmp3lame");

        var analysis = await AnalyzeAsync(mp3, "speech.mp3");

        Assert.Equal(44100, analysis.Audio.SampleRate);
        Assert.Equal(2, analysis.Audio.Channels);
        Assert.InRange(analysis.Audio.DurationSeconds, 1.95, 2.05);
    }

    [Fact]
    public async Task Rejections_come_through_the_analyzer_unchanged()
    {
        var silence = TestWavWriter.Write(TestSignals.Silence(3));

        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(() => AnalyzeAsync(silence, "silence.wav"));

        Assert.Equal("no_speech", rejection.Code);
    }

    [Fact]
    public async Task Eight_concurrent_calls_each_get_the_answer_a_lone_call_gets()
    {
        var uploads = Enumerable.Range(0, 8)
            .Select(i => TestWavWriter.Write(TestSignals.Syllables(1.0 + (0.25 * i), frequency: 120 + (30 * i))))
            .ToArray();
        var alone = new List<EmotionAnalysis>();
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

    [Fact]
    public async Task Measures_latency_of_a_3_second_recording_as_wav_and_mp3()
    {
        var mp3 = TestTranscoder.Transcode(SpeechLikeWav, ".mp3", "-c:a", "libmp3lame", "-b:a", "64k");
        await AnalyzeAsync(SpeechLikeWav, "speech.wav"); // first Run plans the graph: not what a warm service pays

        var wavTimes = await TimeAsync(SpeechLikeWav, "speech.wav");
        var mp3Times = await TimeAsync(mp3, "speech.mp3");

        output.WriteLine($"AnalyzeAsync, 3 s 16 kHz mono 16-bit WAV: {Describe(wavTimes)}");
        output.WriteLine($"AnalyzeAsync, same audio as 64 kb/s MP3: {Describe(mp3Times)}");
        Assert.All(wavTimes.Concat(mp3Times), time => Assert.True(time > 0));
    }

    private async Task<double[]> TimeAsync(byte[] upload, string fileName, int runs = 20)
    {
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await AnalyzeAsync(upload, fileName);
            times[i] = stopwatch.Elapsed.TotalMilliseconds;
        }

        return times;
    }

    private static string Describe(double[] times)
    {
        var sorted = times.Order().ToArray();
        return $"p50 {sorted[sorted.Length / 2]:0.0} ms, min {sorted[0]:0.0} ms, max {sorted[^1]:0.0} ms over {sorted.Length} runs";
    }
}
