using ScottPlot;
using SpeechEmotion.Contracts.Emotions;
using SpeechEmotion.Contracts.Results;

namespace SpeechEmotion.Api.Jobs;

/// <summary>
/// Draws a result's emotion timeline with ScottPlot: one lane per channel, each segment a bar coloured by its
/// emotion, a legend of the emotions, time along the bottom (minutes for recordings over 5 minutes).
/// </summary>
public static class TimelineImage
{
    public const int Width = 1200;
    private const int LaneHeight = 90;
    private const int Margins = 140;

    /// <summary>One colour per label, fixed, so every timeline reads the same way.</summary>
    private static readonly IReadOnlyDictionary<string, Color> Colours = new Dictionary<string, Color>
    {
        [EmotionLabels.Neutral] = Color.FromHex("#9E9E9E"),
        [EmotionLabels.Happy] = Color.FromHex("#F4B400"),
        [EmotionLabels.Sad] = Color.FromHex("#4285F4"),
        [EmotionLabels.Angry] = Color.FromHex("#DB4437"),
        [EmotionLabels.Fearful] = Color.FromHex("#8E24AA"),
        [EmotionLabels.Surprised] = Color.FromHex("#00ACC1"),
        [EmotionLabels.Disgust] = Color.FromHex("#689F38"),
    };

    public static byte[] Png(EmotionResult result)
    {
        var durationSeconds = result.Call?.DurationSeconds ?? result.Audio.DurationSeconds;
        var minutes = durationSeconds > 300;
        var scale = minutes ? 1 / 60.0 : 1.0;
        using var plot = new Plot();

        var lanes = result.Channels.Count;
        for (var lane = 0; lane < lanes; lane++)
        {
            // Channel 0 on top.
            var y = lanes - 1 - lane;
            foreach (var segment in result.Channels[lane].Segments ?? [])
            {
                var bar = plot.Add.Rectangle(segment.Start * scale, segment.End * scale, y - 0.35, y + 0.35);
                bar.FillColor = Colours[segment.Emotion];
                bar.LineWidth = 0;
            }
        }

        foreach (var label in EmotionLabels.All)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = Colours[label] });
        }
        plot.ShowLegend(Edge.Right);

        var positions = Enumerable.Range(0, lanes).Select(lane => (double)(lanes - 1 - lane)).ToArray();
        var names = result.Channels.Select(channel => channel.Name).ToArray();
        plot.Axes.Left.SetTicks(positions, names);
        plot.Axes.SetLimits(0, Math.Max(durationSeconds * scale, 0.001), -0.6, lanes - 0.4);
        plot.XLabel(minutes ? "time (min)" : "time (s)");
        plot.Title($"Emotion timeline: {result.Emotion} overall");
        return plot.GetImageBytes(Width, Margins + (LaneHeight * lanes), ImageFormat.Png);
    }
}
