using SpeechEmotion.Processing.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

public sealed class RetryScheduleTests
{
    private static readonly DateTime Start = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Default_schedule_retries_first_within_10_seconds_and_last_at_24_hours(double randomDraw)
    {
        var options = new WebhookOptions();
        var schedule = new RetrySchedule(options, new FixedRandom(randomDraw));

        var attempts = Attempts(schedule).ToList();

        Assert.InRange(attempts[1] - attempts[0], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10));
        Assert.Equal(Start + TimeSpan.FromHours(24), attempts[^1]);
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap <= options.MaxRetryDelay * (1 + options.JitterFraction), gap.ToString()));
        // Backoff: each wait (before the cap) is longer than the one before.
        Assert.True(gaps[1] > gaps[0] && gaps[2] > gaps[1] && gaps[3] > gaps[2], string.Join(", ", gaps));
        Assert.InRange(attempts.Count, 8, 16);
    }

    [Fact]
    public void Jitter_spreads_the_waits()
    {
        var options = new WebhookOptions();
        var low = new RetrySchedule(options, new FixedRandom(0)).NextAttemptAt(Start, 3, Start)!.Value - Start;
        var high = new RetrySchedule(options, new FixedRandom(0.999999)).NextAttemptAt(Start, 3, Start)!.Value - Start;

        Assert.Equal(80 * 0.8, low.TotalSeconds, 3);
        Assert.Equal(80 * 1.2, high.TotalSeconds, 3);
    }

    [Fact]
    public void The_schedule_follows_its_options()
    {
        var options = new WebhookOptions
        {
            FirstRetryDelay = TimeSpan.FromSeconds(1), BackoffMultiplier = 2, MaxRetryDelay = TimeSpan.FromSeconds(5),
            JitterFraction = 0, RetryFor = TimeSpan.FromSeconds(20),
        };
        var schedule = new RetrySchedule(options, new FixedRandom(0.5));

        var gaps = Attempts(schedule).Zip(Attempts(schedule).Skip(1), (a, b) => (b - a).TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 5, 5, 3], gaps);   // 15 s in, then 5 s would pass the 20 s: the last attempt is at 20 s
    }

    /// <summary>Attempt times of a delivery whose every attempt fails at once, until the schedule gives up.</summary>
    private static IEnumerable<DateTime> Attempts(RetrySchedule schedule)
    {
        var at = Start;
        for (var made = 1; ; made++)
        {
            yield return at;
            if (schedule.NextAttemptAt(Start, made, at) is not { } next)
            {
                yield break;
            }
            at = next;
        }
    }

    private sealed class FixedRandom(double draw) : Random
    {
        public override double NextDouble() => draw;
    }
}
