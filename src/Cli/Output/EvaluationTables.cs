using System.Globalization;
using Spectre.Console;
using SpeechEmotion.Cli.Evaluation;

namespace SpeechEmotion.Cli.Output;

/// <summary>The people's form of an <see cref="EvaluationReport"/>: headline figures, per-label table, confusion
/// matrix of the clean clips, then one row per robustness variation.</summary>
public static class EvaluationTables
{
    public static void Write(IAnsiConsole console, EvaluationReport report)
    {
        var clean = report.Results[0];
        console.WriteLine($"model {report.ModelVersion}; {report.Clips} clips of {report.SpeakersEvaluated.Count} speakers " +
            $"({string.Join(", ", report.SpeakersEvaluated)}); class prior {(report.ClassPrior is null ? "off" : "on")}");
        console.WriteLine($"accuracy {F(clean.Accuracy)}  macro-F1 {F(clean.MacroF1)}" +
            (clean.Rejected > 0 ? $"  ({clean.Rejected} clips rejected by the service, counted as wrong)" : ""));
        console.WriteLine();
        console.Write(PerClass(clean));
        console.WriteLine();
        console.Write(Confusion(clean, report.Labels));
        if (report.Results.Count > 1)
        {
            console.WriteLine();
            console.Write(Robustness(report.Results));
        }
    }

    private static Table PerClass(VariationResult result)
    {
        var table = new Table().Title("per label (clean)")
            .AddColumn("label").AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        foreach (var metrics in result.PerClass)
        {
            table.AddRow(metrics.Label, F(metrics.Precision), F(metrics.Recall), F(metrics.F1), metrics.Support.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static Table Confusion(VariationResult result, IReadOnlyList<string> labels)
    {
        var table = new Table().Title("confusion matrix (clean): rows = true label, columns = predicted").AddColumn("true \\ predicted");
        foreach (var label in labels)
        {
            table.AddColumn(new TableColumn(label).RightAligned());
        }

        var anyRejected = result.Rejected > 0;
        if (anyRejected)
        {
            table.AddColumn(new TableColumn("rejected").RightAligned());
        }

        for (var row = 0; row < labels.Count; row++)
        {
            var cells = result.Confusion[row].Select(count => count.ToString(CultureInfo.InvariantCulture));
            table.AddRow([labels[row], .. cells, .. anyRejected ? [result.RejectedByLabel[row].ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()]);
        }

        return table;
    }

    private static Table Robustness(IReadOnlyList<VariationResult> results)
    {
        var table = new Table().Title("robustness (same clips; drop = clean minus variation)")
            .AddColumn("variation").AddColumn(new TableColumn("accuracy").RightAligned()).AddColumn(new TableColumn("drop").RightAligned())
            .AddColumn(new TableColumn("macro-F1").RightAligned()).AddColumn(new TableColumn("drop").RightAligned())
            .AddColumn(new TableColumn("rejected").RightAligned());
        foreach (var result in results)
        {
            table.AddRow(result.Variation, F(result.Accuracy), F(result.AccuracyDrop), F(result.MacroF1), F(result.MacroF1Drop),
                result.Rejected.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
