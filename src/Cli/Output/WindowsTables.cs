using System.Globalization;
using Spectre.Console;
using SpeechEmotion.Cli.Calls;

namespace SpeechEmotion.Cli.Output;

/// <summary>The people's form of a <see cref="WindowsReport"/>: the distribution and the plausibility verdict.</summary>
public static class WindowsTables
{
    public static void Write(IAnsiConsole console, WindowsReport report)
    {
        var skipped = report.Skipped.Count == 0
            ? "none skipped"
            : "skipped: " + string.Join(", ", report.Skipped.Select(pair => $"{pair.Value} {pair.Key}"));
        console.WriteLine($"{report.File}: {report.DurationSeconds:0.0} s, model {report.ModelVersion}, " +
            $"{report.Windows} windows of {report.WindowSeconds:0.##} s" +
            (report.HopSeconds < report.WindowSeconds ? $" every {report.HopSeconds:0.##} s" : "") +
            $", {report.WithSpeech} with speech ({skipped})" +
            (report.SpeakerNormalisation is { } strength ? $", normalised per speaker at α {strength.ToString("0.###", CultureInfo.InvariantCulture)}" : ""));
        var table = new Table().AddColumn("emotion").AddColumn(new TableColumn("windows").RightAligned())
            .AddColumn(new TableColumn("share").RightAligned());
        foreach (var (label, count) in report.Counts)
        {
            table.AddRow(label, count.ToString(CultureInfo.InvariantCulture),
                report.WithSpeech == 0 ? "-" : (count / (double)report.WithSpeech).ToString("P0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.WriteLine(
            $"neutral {report.NeutralShare.ToString("P0", CultureInfo.InvariantCulture)} (target ≥ {WindowsReport.MinNeutralShare:P0}), " +
            $"angry+disgust {report.AngryOrDisgustShare.ToString("P0", CultureInfo.InvariantCulture)} (target ≤ {WindowsReport.MaxAngryOrDisgustShare:P0}): " +
            (report.Plausible ? "plausible for an ordinary call" : "NOT plausible for an ordinary call"));
    }
}
