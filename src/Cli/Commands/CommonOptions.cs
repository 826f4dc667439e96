using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SpeechEmotion.Cli.Commands;

/// <summary>Options several verbs take; a new instance per verb (a symbol belongs to one command).</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON (for machines) instead of tables." };

    public static Option<FileInfo?> Model() => new("--model")
    {
        Description = "The ONNX model to run (default: the model shipped with the tool, as the service runs it).",
    };

    public static Option<Dictionary<string, double>?> Prior() => new("--prior")
    {
        Description = "A class prior for the deployment (Analysis:ClassPrior), a weight per label, all seven: " +
            "neutral=0.6,happy=0.0667,sad=0.0667,angry=0.0667,fearful=0.0667,surprised=0.0667,disgust=0.0667. Off by default.",
        CustomParser = ParsePrior,
        // The whole prior is one comma-separated token.
        Arity = ArgumentArity.ExactlyOne,
    };

    /// <summary>"label=weight,label=weight": the labels themselves are checked by the classifier, as for the service.</summary>
    private static Dictionary<string, double>? ParsePrior(ArgumentResult result)
    {
        var prior = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        var pairs = result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
            {
                result.AddError($"--prior: '{pair}' is not label=weight (e.g. neutral=0.6).");
                return null;
            }

            prior[parts[0]] = weight;
        }

        return prior;
    }
}
