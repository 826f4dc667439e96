using SpeechEmotion.Analysis.Speech;

namespace SpeechEmotion.Analysis.Tests.Speech;

/// <summary>
/// The region logic of the reference get_speech_timestamps on probability sequences worked out by hand, without the
/// model. Defaults: threshold 0.5, negative threshold 0.35, min speech 250 ms (4000 samples), min silence 100 ms
/// (1600 samples), pad 30 ms (480 samples); windows of 512 samples.
/// </summary>
public sealed class SpeechHysteresisTests
{
    private const int Window = 512;

    private static List<SpeechRegion> Run(IEnumerable<float> probabilities, SpeechDetectionOptions? options = null)
    {
        var hysteresis = new SpeechHysteresis(options ?? new SpeechDetectionOptions());
        var regions = new List<SpeechRegion>();
        var index = 0L;
        foreach (var probability in probabilities)
        {
            if (hysteresis.Next(probability, index * Window) is { } region)
            {
                regions.Add(region);
            }

            index++;
        }

        if (hysteresis.Finish(index * Window) is { } last)
        {
            regions.Add(last);
        }

        return regions;
    }

    private static IEnumerable<float> Repeat(float probability, int windows) => Enumerable.Repeat(probability, windows);

    [Fact]
    public void A_region_runs_from_the_first_window_at_the_threshold_to_the_first_window_below_the_negative_threshold_padded()
    {
        // Speech in windows 2..21; window 22 is the first below 0.35; it closes at window 26 (26·512 − 22·512 ≥ 1600).
        var regions = Run([.. Repeat(0.1f, 2), .. Repeat(0.9f, 20), .. Repeat(0.1f, 10)]);

        Assert.Equal([new SpeechRegion((2 * Window) - 480, (22 * Window) + 480)], regions);
    }

    [Fact]
    public void Dips_between_the_two_thresholds_do_not_end_a_region()
    {
        var regions = Run([.. Repeat(0.9f, 10), .. Repeat(0.4f, 20), .. Repeat(0.9f, 10), .. Repeat(0f, 10)]);

        Assert.Equal([new SpeechRegion(0, (40 * Window) + 480)], regions);
    }

    [Fact]
    public void A_pause_shorter_than_the_minimum_silence_stays_inside_and_a_longer_one_splits()
    {
        // The end is noted at the first silent window and confirmed once a window starts 1600 samples after it: 4 silent
        // windows (the last 1536 after) never confirm it, 5 do (2048 after).
        var joined = Run([.. Repeat(0.9f, 10), .. Repeat(0f, 4), .. Repeat(0.9f, 10), .. Repeat(0f, 10)]);
        var split = Run([.. Repeat(0.9f, 10), .. Repeat(0f, 5), .. Repeat(0.9f, 10), .. Repeat(0f, 10)]);

        Assert.Equal([new SpeechRegion(0, (24 * Window) + 480)], joined);
        Assert.Equal([new SpeechRegion(0, (10 * Window) + 480), new SpeechRegion((15 * Window) - 480, (25 * Window) + 480)], split);
    }

    [Fact]
    public void Regions_of_at_most_the_minimum_speech_are_dropped()
    {
        // 7 windows = 3584 samples ≤ 4000: dropped; 8 windows = 4096 > 4000: kept.
        Assert.Empty(Run([.. Repeat(0f, 5), .. Repeat(0.9f, 7), .. Repeat(0f, 10)]));
        Assert.Single(Run([.. Repeat(0f, 5), .. Repeat(0.9f, 8), .. Repeat(0f, 10)]));
    }

    [Fact]
    public void A_region_still_open_at_the_end_ends_with_the_stream_unpadded()
    {
        var regions = Run([.. Repeat(0f, 5), .. Repeat(0.9f, 20)]);

        Assert.Equal([new SpeechRegion((5 * Window) - 480, 25 * Window)], regions);
    }

    [Fact]
    public void The_thresholds_and_durations_come_from_the_options()
    {
        var options = new SpeechDetectionOptions { Threshold = 0.8f, NegativeThreshold = 0.7f, MinSpeechMs = 0, MinSilenceMs = 0, SpeechPadMs = 0 };

        // 0.6 never opens at 0.8; 0.75 does not close above 0.7; with no minimum silence 0.5 closes at once.
        var regions = Run([.. Repeat(0.6f, 3), .. Repeat(0.9f, 2), .. Repeat(0.75f, 2), .. Repeat(0.5f, 1), .. Repeat(0f, 2)], options);

        Assert.Equal([new SpeechRegion(3 * Window, 7 * Window)], regions);
    }
}
