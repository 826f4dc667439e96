using System.CommandLine;
using SpeechEmotion.Cli.Output;
using SpeechEmotion.Cli.Submission;

namespace SpeechEmotion.Cli.Commands;

/// <summary>
/// <c>speechemotion submit FOLDER --server URL</c>: sends every file of a local folder through the service's API
/// (POST /jobs, then GET /jobs/{id} until each is finished) and writes one result row per file, as CSV or JSON lines.
/// A state file records each step, so a run that stops resumes where it stopped: no file is sent twice, no row
/// written twice.
/// </summary>
internal static class SubmitCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public sealed record Settings(DirectoryInfo Folder, Uri Server, string? ApiKey, FileInfo Output, ResultFormat Format, FileInfo State,
        int Parallel, int? Limit);

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "The folder of recordings to send (searched recursively; hidden files skipped)." };
        var server = new Option<Uri>("--server")
        {
            Description = "The service's base URL, e.g. http://localhost:5080.",
            Required = true,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    return uri;
                }
                result.AddError($"--server: '{text}' is not an http or https URL.");
                return null;
            },
        };
        var apiKey = new Option<string?>("--api-key") { Description = "An API key, sent as Authorization: Bearer (when the service asks for keys)." };
        var output = new Option<FileInfo>("--output")
        {
            Description = "Where the results go (appended). Default: speechemotion-results.csv, or .jsonl with --format jsonl.",
        };
        var format = new Option<ResultFormat>("--format") { Description = "csv (default) or jsonl.", DefaultValueFactory = _ => ResultFormat.Csv };
        var state = new Option<FileInfo>("--state") { Description = "The resume file. Default: the output file's name with .state.jsonl." };
        var parallel = new Option<int>("--parallel") { Description = "Uploads at once (1–16).", DefaultValueFactory = _ => 4 };
        parallel.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 16)
            {
                result.AddError("--parallel must lie between 1 and 16.");
            }
        });
        var limit = new Option<int?>("--limit") { Description = "Send at most this many new files in this run (the rest next time)." };

        var command = new Command("submit", "Send a local folder of recordings through the service's API and write each file's result (resumable).")
        {
            folder, server, apiKey, output, format, state, parallel, limit,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.ReportAsync(parse, () =>
        {
            var chosenFormat = parse.GetValue(format);
            var outputFile = parse.GetValue(output)
                ?? new FileInfo(chosenFormat == ResultFormat.Csv ? "speechemotion-results.csv" : "speechemotion-results.jsonl");
            var stateFile = parse.GetValue(state) ?? new FileInfo(Path.ChangeExtension(outputFile.FullName, ".state.jsonl"));
            var settings = new Settings(parse.GetValue(folder)!, parse.GetValue(server)!, parse.GetValue(apiKey), outputFile, chosenFormat,
                stateFile, parse.GetValue(parallel), parse.GetValue(limit));
            return RunAsync(settings, parse.InvocationConfiguration.Output, cancellationToken);
        }));
        return command;
    }

    public static async Task<int> RunAsync(Settings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (!settings.Folder.Exists)
        {
            throw new CommandException($"The folder '{settings.Folder.FullName}' does not exist.");
        }
        var files = FilesOf(settings.Folder);
        await using var state = await SubmissionState.OpenAsync(settings.State.FullName, cancellationToken);
        await using var results = await ResultWriter.OpenAsync(settings.Output.FullName, settings.Format);
        using var client = ServiceClient.Create(settings.Server, settings.ApiKey);

        var toSend = files.Where(file => !state.Submitted.ContainsKey(file.Relative) && !state.IsDone(file.Relative))
            .Take(settings.Limit ?? int.MaxValue).ToList();
        var alreadyDone = files.Count(file => state.IsDone(file.Relative));
        var waitingFor = files.Where(file => state.Submitted.ContainsKey(file.Relative) && !state.IsDone(file.Relative)).ToList();
        var work = alreadyDone + waitingFor.Count + toSend.Count;

        var written = await Terminal.WithProgressAsync("sending", work, async fileDone =>
        {
            for (var i = 0; i < alreadyDone; i++)
            {
                fileDone();
            }
            var session = new SubmissionRun(client, state, results, fileDone, cancellationToken);
            var pending = waitingFor.Select(file => session.WaitAndWriteAsync(file.Relative, state.Submitted[file.Relative])).ToList();
            await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallel, CancellationToken = cancellationToken },
                async (file, _) =>
                {
                    if (await session.SendAsync(file) is { } jobId)
                    {
                        lock (pending)
                        {
                            pending.Add(session.WaitAndWriteAsync(file.Relative, jobId));
                        }
                    }
                });
            await Task.WhenAll(pending);
            return session.Written;
        });

        var left = files.Count - alreadyDone - written;
        await output.WriteLineAsync(left == 0
            ? $"{files.Count} files done; results in {settings.Output.FullName}."
            : $"{alreadyDone + written} of {files.Count} files done; run the same command again to send the rest.");
        return 0;
    }

    internal sealed record LocalFile(string FullPath, string Relative);

    private static List<LocalFile> FilesOf(DirectoryInfo folder) =>
        Directory.EnumerateFiles(folder.FullName, "*", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
                IgnoreInaccessible = true,
            })
            .Select(path => new LocalFile(path, Path.GetRelativePath(folder.FullName, path).Replace('\\', '/')))
            .Where(file => !file.Relative.Split('/').Any(part => part.StartsWith('.')))
            .OrderBy(file => file.Relative, StringComparer.Ordinal)
            .ToList();

    /// <summary>One run's sending and waiting: each file sent once, polled until finished, its row written, then marked done.</summary>
    private sealed class SubmissionRun(ServiceClient client, SubmissionState state, ResultWriter results, Action fileDone, CancellationToken cancellationToken)
    {
        private int _written;

        public int Written => _written;

        public async Task<Guid?> SendAsync(LocalFile file)
        {
            var outcome = await client.SubmitAsync(file.FullPath, file.Relative, cancellationToken);
            if (outcome.JobId is { } jobId)
            {
                await state.RecordSubmittedAsync(file.Relative, jobId);
                return jobId;
            }
            await results.WriteAsync(file.Relative, null, null, outcome.RefusedCode, outcome.RefusedMessage);
            await MarkDone(file.Relative);
            return null;
        }

        public async Task WaitAndWriteAsync(string file, Guid jobId)
        {
            while (true)
            {
                var job = await client.GetJobAsync(jobId, cancellationToken);
                if (job["status"]?.GetValue<string>() is "succeeded" or "failed")
                {
                    await results.WriteAsync(file, jobId, job);
                    await MarkDone(file);
                    return;
                }
                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        private async Task MarkDone(string file)
        {
            await state.RecordDoneAsync(file);
            Interlocked.Increment(ref _written);
            fileDone();
        }
    }
}
