using System.Text.Json;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Cli.Tests.Support;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Cli.Tests;

/// <summary>
/// <c>speechemotion evaluate</c> end to end on a small generated RAVDESS-layout folder, through the service's real
/// path and the shipped model. The model's answers on synthetic sounds are whatever they are; what must hold is that
/// every figure printed follows from the per-clip predictions printed beside it.
/// </summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private static readonly string[] AllVariations =
        ["clean", "padded+noise-70dBFS", "padded+noise-50dBFS", "padded+noise-35dBFS", "telephone", "untrimmed"];

    private static readonly string[] Labels = ["neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust"];

    private readonly TempFolder corpus = new("cli-tests-");

    public EvaluateCommandTests()
    {
        static byte[] Voice(double frequency) => TestWavWriter.Write(
            TestSignals.Concat(TestSignals.Silence(0.4), TestSignals.Syllables(1.6, frequency: frequency), TestSignals.Silence(0.4)));

        corpus.Write("Actor_01/03-01-01-01-01-01-01.wav", Voice(120));                       // neutral
        corpus.Write("Actor_01/03-01-05-02-01-01-01.wav", Voice(260));                       // angry
        corpus.Write("Actor_01/03-01-04-01-01-01-01.flac", TestTranscoder.Transcode(Voice(100), ".flac")); // sad, as FLAC
        corpus.Write("Actor_01/03-01-03-01-01-01-01.wav", TestWavWriter.Write(TestSignals.Silence(2))); // happy, but silent
        corpus.Write("Actor_02/03-01-08-01-01-01-02.wav", Voice(300));                       // surprised
        corpus.Write("Actor_02/03-01-06-01-01-01-02.wav", Voice(340));                       // fearful
        corpus.Write("Actor_03/03-01-07-01-01-01-03.wav", Voice(180));                       // disgust, filtered out
    }

    public void Dispose() => corpus.Dispose();

    [Fact]
    public async Task Json_figures_follow_from_the_per_clip_predictions_for_every_variation()
    {
        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--speakers", "1-2", "--perturb", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = run.Json();
        Assert.Equal(6, report.GetProperty("clips").GetInt32());
        Assert.Equal(["ravdess:01", "ravdess:02"], Strings(report.GetProperty("speakersEvaluated")));
        Assert.Equal(["neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust"], Strings(report.GetProperty("labels")));
        Assert.StartsWith("cnn-", report.GetProperty("modelVersion").GetString());

        var clips = report.GetProperty("clipResults").EnumerateArray().ToList();
        Assert.Equal(6, clips.Count);
        Assert.DoesNotContain(clips, clip => clip.GetProperty("file").GetString()!.Contains("Actor_03"));
        var silent = clips.Single(clip => clip.GetProperty("file").GetString()!.EndsWith("03-01-03-01-01-01-01.wav"));
        Assert.Equal("happy", silent.GetProperty("label").GetString());
        Assert.Equal("no_speech", silent.GetProperty("rejections").GetProperty("clean").GetString());

        var results = report.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(AllVariations, results.Select(result => result.GetProperty("variation").GetString()));
        var clean = results[0];
        foreach (var result in results)
        {
            var variation = result.GetProperty("variation").GetString()!;
            var right = clips.Count(clip => PredictionOf(clip, variation) == clip.GetProperty("label").GetString());
            var rejected = clips.Count(clip => PredictionOf(clip, variation) is null);

            Assert.Equal(right / 6.0, result.GetProperty("accuracy").GetDouble(), 1e-12);
            Assert.Equal(rejected, result.GetProperty("rejected").GetInt32());
            Assert.Equal(6 - rejected, result.GetProperty("confusion").EnumerateArray().Sum(row => row.EnumerateArray().Sum(cell => cell.GetInt32())));
            Assert.Equal(right, Enumerable.Range(0, 7).Sum(i => result.GetProperty("confusion")[i][i].GetInt32()));
            Assert.Equal(6, result.GetProperty("perClass").EnumerateArray().Sum(label => label.GetProperty("support").GetInt32()));
            Assert.Equal(clean.GetProperty("accuracy").GetDouble() - result.GetProperty("accuracy").GetDouble(),
                result.GetProperty("accuracyDrop").GetDouble(), 1e-12);
        }

        Assert.Equal(1, clean.GetProperty("rejected").GetInt32()); // the silent clip, counted as wrong
        // The generated files the variations send (16 kHz float WAV, 8 kHz μ-law WAV) are accepted and decoded by the
        // service: at most a speech detector may find no speech in them, never a format or decoding error.
        var rejectionCodes = clips.Where(clip => clip.TryGetProperty("rejections", out _))
            .SelectMany(clip => clip.GetProperty("rejections").EnumerateObject().Select(pair => pair.Value.GetString()));
        Assert.All(rejectionCodes, code => Assert.Equal("no_speech", code));
    }

    [Fact]
    public async Task Tables_show_headline_figures_per_label_figures_and_the_confusion_matrix()
    {
        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--corpus", "ravdess", "--speakers", "01");
        var json = (await CliRun.RunAsync("evaluate", corpus.Root, "--corpus", "ravdess", "--speakers", "01", "--json")).Json();

        Assert.True(run.ExitCode == 0, run.Error);
        var accuracy = json.GetProperty("results")[0].GetProperty("accuracy").GetDouble();
        Assert.Contains($"accuracy {accuracy:0.000}", run.Output);
        Assert.Contains("4 clips of 1 speakers (ravdess:01)", run.Output);
        Assert.Contains("per label (clean)", run.Output);
        Assert.Contains("confusion matrix (clean)", run.Output);
        Assert.Contains("rejected", run.Output); // the silent clip's column
        Assert.DoesNotContain("robustness", run.Output);
    }

    [Fact]
    public async Task A_class_prior_is_applied_and_reported()
    {
        const string prior = "neutral=0.6,happy=0.0667,sad=0.0667,angry=0.0667,fearful=0.0667,surprised=0.0667,disgust=0.0667";
        var plain = (await CliRun.RunAsync("evaluate", corpus.Root, "--speakers", "1-2", "--json")).Json();
        var run = await CliRun.RunAsync("evaluate", "--prior", prior, corpus.Root, "--speakers", "1-2", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var withPrior = run.Json();
        Assert.Equal(0.6, withPrior.GetProperty("classPrior").GetProperty("neutral").GetDouble());
        Assert.False(plain.TryGetProperty("classPrior", out _));
        // Same clip, same model: neutral can only gain probability under a prior that favours it.
        var first = (JsonElement report) => report.GetProperty("clipResults")[0].GetProperty("probabilities").GetProperty("neutral").GetDouble();
        Assert.True(first(withPrior) > first(plain));
    }

    [Fact]
    public async Task Per_speaker_normalisation_adds_a_row_per_strength_computed_within_each_speaker()
    {
        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--speakers", "1-2", "--per-speaker-normalise", "0.5,1", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        var report = run.Json();
        var results = report.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["clean", "speaker-normalised-0.5", "speaker-normalised-1"], results.Select(result => result.GetProperty("variation").GetString()));
        var clips = report.GetProperty("clipResults").EnumerateArray().ToList();
        foreach (var (strength, result) in new[] { 0.5, 1 }.Zip(results.Skip(1)))
        {
            var variation = result.GetProperty("variation").GetString()!;
            // Worked out here from the printed clean probabilities: argmax of log p − α · (the speaker's mean log p).
            foreach (var speaker in clips.Where(clip => clip.TryGetProperty("probabilities", out _)).GroupBy(clip => clip.GetProperty("speaker").GetString()))
            {
                var logs = speaker.Select(clip => Labels.Select(label => Math.Log(clip.GetProperty("probabilities").GetProperty(label).GetDouble())).ToArray()).ToList();
                var mean = Enumerable.Range(0, Labels.Length).Select(c => logs.Average(log => log[c])).ToArray();
                foreach (var (clip, log) in speaker.Zip(logs))
                {
                    var shifted = log.Select((value, c) => value - strength * mean[c]).ToArray();
                    Assert.Equal(Labels[Array.IndexOf(shifted, shifted.Max())], PredictionOf(clip, variation));
                }
            }

            var silent = clips.Single(clip => !clip.TryGetProperty("probabilities", out _));
            Assert.Equal("no_speech", silent.GetProperty("rejections").GetProperty(variation).GetString());
            var right = clips.Count(clip => PredictionOf(clip, variation) == clip.GetProperty("label").GetString());
            Assert.Equal(right / 6.0, result.GetProperty("accuracy").GetDouble(), 1e-12);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1,x")]
    [InlineData("2.5")]
    public async Task A_wrong_normalisation_strength_fails_with_a_message(string strengths)
    {
        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--per-speaker-normalise", strengths);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--per-speaker-normalise", run.Error);
    }

    [Theory]
    [InlineData("neutral=0.6,happy=0.4", "missing")]
    [InlineData("neutral=lots", "not label=weight")]
    public async Task A_wrong_prior_fails_with_a_message(string prior, string message)
    {
        var run = await CliRun.RunAsync("evaluate", corpus.Root, "--prior", prior);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task A_folder_without_labelled_clips_or_a_missing_folder_fails_with_a_message()
    {
        var nothing = await CliRun.RunAsync("evaluate", corpus.Root, "--speakers", "DC");
        var missing = await CliRun.RunAsync("evaluate", Path.Combine(corpus.Root, "nope"));
        var badFilter = await CliRun.RunAsync("evaluate", corpus.Root, "--speakers", "20-17");

        Assert.Equal((1, 1, 1), (nothing.ExitCode, missing.ExitCode, badFilter.ExitCode));
        Assert.Contains("No labelled clips", nothing.Error);
        Assert.Contains("does not exist", missing.Error);
        Assert.Contains("ends before it starts", badFilter.Error);
    }

    private static string? PredictionOf(JsonElement clip, string variation) =>
        clip.GetProperty("predictions").TryGetProperty(variation, out var value) ? value.GetString() : null;

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString()!).ToArray();
}
