using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SpeechEmotion.Cli.Corpora;
using SpeechEmotion.Cli.Evaluation;
using SpeechEmotion.Cli.Hosting;
using SpeechEmotion.Cli.Output;

namespace SpeechEmotion.Cli.Commands;

/// <summary>
/// <c>speechemotion evaluate &lt;folder&gt;</c>: the service's own decode → speech/trim → ONNX path over a labelled
/// corpus folder, with accuracy, macro-F1, per-label figures and the confusion matrix; <c>--perturb</c> adds the
/// robustness variations of issue 10 on the same clips.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder")
        {
            Description = "A labelled corpus folder as downloaded: RAVDESS (Actor_07/03-01-05-02-01-02-07.wav), CREMA-D " +
                "(AudioWAV/1001_DFA_ANG_XX.wav), TESS (OAF_Fear/OAF_food_fear.wav) or SAVEE (ALL/DC_a01.wav, AudioData/DC/a01.wav).",
        };
        var corpus = new Option<string>("--corpus")
        {
            Description = "Which layout to read; auto reads all four.",
            DefaultValueFactory = _ => CorpusReader.Auto,
        };
        corpus.AcceptOnlyFromAmong([CorpusReader.Auto, .. CorpusReader.Corpora]);
        var speakers = new Option<string?>("--speakers")
        {
            Description = "Only these speakers: ids and ranges, e.g. 17-20, 1,3,14,20, DC,JE, OAF, ravdess:01-04.",
        };
        speakers.Validators.Add(result =>
        {
            try
            {
                SpeakerFilter.Parse(result.GetValueOrDefault<string?>() ?? "");
            }
            catch (FormatException error)
            {
                result.AddError($"--speakers: {error.Message}");
            }
        });
        var perturb = new Option<bool>("--perturb")
        {
            Description = "Also measure the robustness variations on the same clips: padded with silence and room noise " +
                "at -70/-50/-35 dBFS, telephone channel (8 kHz G.711 μ-law), and untrimmed audio straight into the model.",
        };
        var normalise = new Option<double[]>("--per-speaker-normalise")
        {
            Description = "Also measure per-speaker normalisation at these strengths (comma-separated, each in (0, 2], e.g. 0.5,1): " +
                "all clips of one speaker are treated as one call's channel and normalised together, as the service can " +
                "for a call's channel. One row per strength, from the clean clips' probabilities.",
            CustomParser = ParseStrengths,
            Arity = ArgumentArity.ExactlyOne,
            DefaultValueFactory = _ => [],
        };
        var json = CommonOptions.Json();
        var model = CommonOptions.Model();
        var prior = CommonOptions.Prior();

        var command = new Command("evaluate", "Measure the model on your own labelled recordings, through the service's own path.")
        {
            folder, corpus, speakers, perturb, normalise, json, model, prior,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.ReportAsync(parse, () => RunAsync(
            new EvaluationRequest(parse.GetValue(folder)!.FullName, parse.GetValue(corpus)!, parse.GetValue(speakers),
                parse.GetValue(perturb), parse.GetValue(prior), parse.GetValue(normalise) ?? []),
            parse.GetValue(model)?.FullName, parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        EvaluationRequest request, string? modelPath, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var filter = request.Speakers is null ? SpeakerFilter.All : SpeakerFilter.Parse(request.Speakers);
        var clips = CorpusReader.Read(request.Folder, request.Corpus).Where(filter.Matches).ToList();
        if (clips.Count == 0)
        {
            throw new CommandException(
                $"No labelled clips of {request.Corpus} found in '{request.Folder}'" +
                (request.Speakers is null ? "." : $" for speakers {request.Speakers}.") +
                " See `speechemotion evaluate --help` for the layouts read.");
        }

        await using var session = await AnalysisSession.StartAsync(new AnalysisSettings(modelPath, request.ClassPrior), cancellationToken);
        var evaluator = new ClipEvaluator(session.Analyzer, session.Decoder, session.Classifier);
        var measured = await Terminal.WithProgressAsync("evaluating", clips.Count,
            clipDone => evaluator.EvaluateAllAsync(clips, request.Perturb, clipDone, cancellationToken));
        var results = SpeakerNormalisedRows.Add(measured, request.SpeakerNormalisation, session.Classifier.Prior);
        var report = EvaluationReport.Build(request, session.Classifier.ModelVersion, results);

        if (json)
        {
            Terminal.WriteJson(output, report);
        }
        else
        {
            EvaluationTables.Write(Terminal.Tables(output), report);
        }

        return 0;
    }

    /// <summary>"0.5,1": strengths α of the per-speaker normalisation.</summary>
    private static double[] ParseStrengths(ArgumentResult result)
    {
        var strengths = new List<double>();
        var parts = result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in parts)
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var strength) || strength is not (> 0 and <= 2))
            {
                result.AddError($"--per-speaker-normalise: '{part}' is not a strength in (0, 2] (e.g. 0.5,1).");
                return [];
            }

            strengths.Add(strength);
        }

        return strengths.Distinct().ToArray();
    }
}
