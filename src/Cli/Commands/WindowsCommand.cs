using System.CommandLine;
using SpeechEmotion.Cli.Calls;
using SpeechEmotion.Cli.Hosting;
using SpeechEmotion.Cli.Output;

namespace SpeechEmotion.Cli.Commands;

/// <summary>
/// <c>speechemotion windows &lt;file&gt;</c>: an unlabelled recording (a call) cut into windows of speech, each through
/// the service's path; prints how many windows got each emotion.
/// </summary>
internal static class WindowsCommand
{
    /// <summary>Longer than any call: the windows verb decodes the whole recording before cutting it.</summary>
    private static readonly TimeSpan MaxRecording = TimeSpan.FromHours(4);

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A recording in any format the service accepts (e.g. an 8 kHz call WAV)." };
        var window = new Option<double>("--window")
        {
            Description = "Window length in seconds.",
            DefaultValueFactory = _ => 4,
        };
        window.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0.5 or > 60)
            {
                result.AddError("--window must lie between 0.5 and 60 seconds.");
            }
        });
        var hop = new Option<double?>("--hop")
        {
            Description = "Start a window every this many seconds (default: the window length, so windows follow each other). " +
                "Shorter makes them overlap: with --hop 1 every second of speech is judged in four 4-s windows, so the shares no " +
                "longer depend on where the first window happens to start.",
        };
        hop.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } seconds && seconds is not (>= 0.25 and <= 60))
            {
                result.AddError("--hop must lie between 0.25 and 60 seconds.");
            }
        });
        var normalise = new Option<double?>("--per-speaker-normalise")
        {
            Description = "Normalise all windows together at this strength α in (0, 2] (per-speaker normalisation; the whole " +
                "recording taken as one speaker's channel, so meaningful for a mono call). Off by default.",
        };
        normalise.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } strength && strength is not (> 0 and <= 2))
            {
                result.AddError("--per-speaker-normalise must lie in (0, 2].");
            }
        });
        var json = CommonOptions.Json();
        var model = CommonOptions.Model();
        var prior = CommonOptions.Prior();

        var command = new Command("windows", "Cut a recording (a call) into windows of speech and count the emotions the service gives them.")
        {
            file, window, hop, normalise, json, model, prior,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.ReportAsync(parse, () => RunAsync(
            parse.GetValue(file)!, parse.GetValue(window), parse.GetValue(hop) ?? parse.GetValue(window), parse.GetValue(normalise), new AnalysisSettings(parse.GetValue(model)?.FullName, parse.GetValue(prior), MaxRecording),
            parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        FileInfo file, double windowSeconds, double hopSeconds, double? speakerNormalisation, AnalysisSettings settings, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CommandException($"The file '{file.FullName}' does not exist.");
        }
        if (hopSeconds > windowSeconds)
        {
            throw new CommandException("--hop must not be longer than --window: the windows would leave gaps.");
        }

        await using var session = await AnalysisSession.StartAsync(settings, cancellationToken);
        float[] samples;
        await using (var stream = file.OpenRead())
        {
            samples = (await session.Decoder.DecodeAsync(stream, file.Name, cancellationToken)).Samples;
        }

        var windows = new CallWindows(session.Analyzer);
        int Samples(double seconds) => (int)Math.Round(seconds * Audio.WavFile.ServiceSampleRate);
        var cut = CallWindows.Cut(samples.Length, Samples(windowSeconds), Samples(hopSeconds));
        var timeline = await Terminal.WithProgressAsync("windows", cut.Count,
            windowDone => windows.AnalyzeAsync(samples, cut, windowDone, cancellationToken));
        if (speakerNormalisation is { } strength)
        {
            timeline = CallWindows.NormalisePerSpeaker(timeline, strength, session.Classifier.Prior);
        }
        var report = WindowsReport.Build(file.Name, session.Classifier.ModelVersion, windowSeconds, hopSeconds,
            samples.Length / (double)Audio.WavFile.ServiceSampleRate, timeline, speakerNormalisation);

        if (json)
        {
            Terminal.WriteJson(output, report);
        }
        else
        {
            WindowsTables.Write(Terminal.Tables(output), report);
        }

        return 0;
    }
}
