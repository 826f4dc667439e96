using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Analysis.Calls;

/// <summary>Who talks when: the call figures that come from the speech regions of all channels together.</summary>
internal static class CallTimeline
{
    public static CallFigures Figures(IReadOnlyList<IReadOnlyList<SpeechRegion>> channels, double durationSeconds)
    {
        // Sweep over region edges: +1 where a channel starts talking, −1 where it stops (stops first at equal times,
        // so regions that only touch do not count as overlap).
        var edges = channels
            .SelectMany(regions => regions.SelectMany(r => new[] { (Time: r.Start, Step: 1), (Time: Math.Min(r.End, durationSeconds), Step: -1) }))
            .OrderBy(e => e.Time).ThenBy(e => e.Step)
            .ToList();

        double speech = 0, overlap = 0, previous = 0;
        var talking = 0;
        var overlaps = 0;
        foreach (var (time, step) in edges)
        {
            var elapsed = time - previous;
            if (talking >= 1)
            {
                speech += elapsed;
            }
            if (talking >= 2)
            {
                overlap += elapsed;
            }
            talking += step;
            if (step > 0 && talking == 2)
            {
                overlaps++;
            }
            previous = time;
        }

        return new CallFigures(
            Math.Round(durationSeconds, 3),
            Math.Round(speech, 3),
            Math.Round(Math.Max(0, durationSeconds - speech), 3),
            Math.Round(overlap, 3),
            overlaps);
    }
}
