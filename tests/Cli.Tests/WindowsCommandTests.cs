using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Cli.Calls;
using SpeechEmotion.Cli.Tests.Support;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Cli.Tests;

/// <summary><c>speechemotion windows</c> on a generated call in the real calls' format (8 kHz unsigned 8-bit WAV).</summary>
public sealed class WindowsCommandTests : IDisposable
{
    private readonly TempFolder folder = new("cli-tests-");
    private readonly string call;

    public WindowsCommandTests()
    {
        // 4 s voice, 4 s silence (the line idle), 4 s voice, and a 1 s tail shorter than half a window.
        var signal = TestSignals.Concat(
            TestSignals.Syllables(4, sampleRate: 8000, frequency: 140), TestSignals.Silence(4, sampleRate: 8000),
            TestSignals.Syllables(4, sampleRate: 8000, frequency: 230), TestSignals.Syllables(1, sampleRate: 8000));
        call = folder.Write("call.wav", TestTranscoder.Transcode(TestWavWriter.Write(signal, sampleRate: 8000), ".wav", "-c:a", "pcm_u8"));
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Silent_windows_are_skipped_and_the_distribution_counts_the_others()
    {
        var run = await CliRun.RunAsync("windows", call, "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = run.Json();
        var timeline = report.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(13.0, report.GetProperty("durationSeconds").GetDouble(), 0.01);
        Assert.Equal(3, report.GetProperty("windows").GetInt32());
        Assert.Equal([0.0, 4.0, 8.0], timeline.Select(window => window.GetProperty("startSeconds").GetDouble()));
        Assert.Equal("no_speech", timeline[1].GetProperty("skippedBecause").GetString());
        Assert.Equal(1, report.GetProperty("skipped").GetProperty("no_speech").GetInt32());

        var analysed = timeline.Where(window => window.TryGetProperty("emotion", out _)).ToList();
        Assert.Equal(2, analysed.Count);
        Assert.Equal(analysed.Count, report.GetProperty("withSpeech").GetInt32());
        var counts = report.GetProperty("counts");
        Assert.Equal(analysed.Count, counts.EnumerateObject().Sum(label => label.Value.GetInt32()));
        foreach (var window in analysed)
        {
            Assert.True(counts.GetProperty(window.GetProperty("emotion").GetString()!).GetInt32() > 0);
        }

        var neutral = counts.GetProperty("neutral").GetInt32() / 2.0;
        var angryOrDisgust = (counts.GetProperty("angry").GetInt32() + counts.GetProperty("disgust").GetInt32()) / 2.0;
        Assert.Equal(neutral, report.GetProperty("neutralShare").GetDouble(), 1e-12);
        Assert.Equal(angryOrDisgust, report.GetProperty("angryOrDisgustShare").GetDouble(), 1e-12);
        Assert.Equal(neutral >= 0.5 && angryOrDisgust <= 0.2, report.GetProperty("plausible").GetBoolean());
    }

    [Fact]
    public async Task The_table_names_the_windows_and_the_verdict()
    {
        var run = await CliRun.RunAsync("windows", call, "--window", "6");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("call.wav: 13.0 s", run.Output);
        Assert.Contains("2 windows of 6 s", run.Output);   // 0–6, 6–12; the 1 s tail is dropped
        Assert.Contains("plausible for an ordinary call", run.Output);
    }

    [Fact]
    public async Task Per_speaker_normalisation_re_reads_every_window_against_the_calls_own_mean()
    {
        var plain = (await CliRun.RunAsync("windows", call, "--json")).Json();
        var run = await CliRun.RunAsync("windows", call, "--json", "--per-speaker-normalise", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = run.Json();
        Assert.Equal(1.0, report.GetProperty("speakerNormalisation").GetDouble());
        Assert.False(plain.TryGetProperty("speakerNormalisation", out _));
        // Worked out from the plain run's probabilities: both windows are 4 s, so the mean is the plain average of
        // log p, and at α = 1 each window's answer is the argmax of log p − that mean.
        string[] labels = ["neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust"];
        var analysed = plain.GetProperty("timeline").EnumerateArray().Where(window => window.TryGetProperty("probabilities", out _)).ToList();
        var logs = analysed.Select(window => labels.Select(label => Math.Log(window.GetProperty("probabilities").GetProperty(label).GetDouble())).ToArray()).ToList();
        var mean = labels.Select((_, c) => logs.Average(log => log[c])).ToArray();
        var expected = logs.Select(log => log.Select((value, c) => value - mean[c]).ToArray()).Select(shifted => labels[Array.IndexOf(shifted, shifted.Max())]);
        var timeline = report.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(expected, timeline.Where(window => window.TryGetProperty("emotion", out _)).Select(window => window.GetProperty("emotion").GetString()));
        Assert.Equal("no_speech", timeline[1].GetProperty("skippedBecause").GetString());
        var counts = report.GetProperty("counts");
        Assert.Equal(counts.GetProperty("neutral").GetInt32() / 2.0, report.GetProperty("neutralShare").GetDouble(), 1e-12);
    }

    [Theory]
    [InlineData(12.9, 4, 3)]  // 0, 4, 8 and a 0.9 s tail dropped
    [InlineData(14.0, 4, 4)]  // a 2 s tail is half a window: kept
    [InlineData(3.0, 4, 1)]   // a recording shorter than a window is one window
    [InlineData(1.0, 4, 0)]
    public void Cutting_keeps_whole_windows_and_tails_of_at_least_half_a_window(double seconds, double window, int expected) =>
        Assert.Equal(expected, CallWindows.Cut((int)(seconds * 16000), (int)(window * 16000), (int)(window * 16000)).Count);

    [Theory]
    [InlineData(13.0, 1, new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 13.0)]  // 9–13 reaches the end: no shorter copies of it
    [InlineData(13.0, 2, new[] { 0.0, 2, 4, 6, 8, 10 }, 13.0)]            // 10–13, a 3 s tail, is kept
    [InlineData(12.0, 3, new[] { 0.0, 3, 6, 9 }, 12.0)]
    [InlineData(13.0, 4, new[] { 0.0, 4, 8 }, 12.0)]                       // consecutive: the 1 s tail is dropped
    public void Overlapping_windows_start_every_hop_and_keep_one_tail(double seconds, double hop, double[] starts, double lastEnd)
    {
        var windows = CallWindows.Cut((int)(seconds * 16000), 4 * 16000, (int)(hop * 16000));

        Assert.Equal(starts, windows.Select(window => window.Start / 16000.0));
        Assert.Equal(lastEnd, (windows[^1].Start + windows[^1].Length) / 16000.0);
        Assert.All(windows.SkipLast(1), window => Assert.Equal(4 * 16000, window.Length));
    }

    [Fact]
    public async Task A_hop_shorter_than_the_window_overlaps_the_windows()
    {
        var run = await CliRun.RunAsync("windows", call, "--json", "--hop", "2");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = run.Json();
        Assert.Equal(2.0, report.GetProperty("hopSeconds").GetDouble());
        var timeline = report.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal([0.0, 2, 4, 6, 8, 10], timeline.Select(window => window.GetProperty("startSeconds").GetDouble()));
        Assert.Equal(13.0, timeline[^1].GetProperty("endSeconds").GetDouble(), 0.01);
        // 4–8 s is the idle line; every other window holds some of a voice.
        Assert.Equal("no_speech", timeline[2].GetProperty("skippedBecause").GetString());
        Assert.Equal(5, report.GetProperty("withSpeech").GetInt32());
        Assert.Contains("6 windows of 4 s every 2 s", (await CliRun.RunAsync("windows", call, "--hop", "2")).Output);
    }

    [Fact]
    public async Task A_hop_longer_than_the_window_is_refused()
    {
        var run = await CliRun.RunAsync("windows", call, "--hop", "5");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--hop must not be longer than --window", run.Error);
    }

    [Fact]
    public async Task A_missing_file_fails_with_a_message()
    {
        var run = await CliRun.RunAsync("windows", Path.Combine(folder.Root, "nope.wav"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not exist", run.Error);
    }

    [Fact]
    public async Task A_file_the_service_would_refuse_fails_with_its_code_not_a_stack_trace()
    {
        var subtitles = folder.Write("call.srt", "1\n00:00:00,000 --> 00:00:02,000\nHello\n"u8.ToArray());

        var run = await CliRun.RunAsync("windows", subtitles);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("speechemotion: unsupported_format: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }
}
