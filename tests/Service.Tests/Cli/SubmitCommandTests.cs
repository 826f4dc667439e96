using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Cli;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Cli;

/// <summary><c>speechemotion submit</c> run in process, as a user runs it, against the embedded service on a real port.</summary>
public sealed class SubmitCommandTests : IDisposable
{
    private readonly TempFolder _work = new("speech-emotion-submit-");
    private string Folder => Path.Combine(_work.Root, "recordings");

    [Fact]
    public async Task Submit_sends_the_folder_writes_one_csv_row_per_file_and_a_second_run_sends_only_the_rest()
    {
        using var api = EmbeddedApi.OnKestrel();
        var files = WriteFolder(clips: 8);
        var output = Path.Combine(_work.Root, "results.csv");
        string[] Args(params string[] extra) => ["submit", Folder, "--server", api.ClientOptions.BaseAddress.ToString(), "--output", output, .. extra];

        var first = await RunAsync(Args("--limit", "4", "--parallel", "2"));
        Assert.Equal(0, first.ExitCode);
        Assert.Contains($"4 of {files.Count} files done", first.Output);
        Assert.Equal(5, (await File.ReadAllLinesAsync(output)).Length);   // header + 4 rows

        var second = await RunAsync(Args());
        Assert.Equal(0, second.ExitCode);
        Assert.Contains($"{files.Count} files done", second.Output);
        var third = await RunAsync(Args());   // nothing left: sends nothing, writes nothing
        Assert.Equal(0, third.ExitCode);

        var rows = (await File.ReadAllLinesAsync(output)).Select(line => line.Split(',')).ToList();
        Assert.Equal(["file", "jobId", "status", "emotion", "neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust", "modelVersion", "errorCode"], rows[0]);
        var byFile = rows.Skip(1).ToDictionary(row => row[0]);   // throws on a file written twice
        Assert.Equal(files.Order(), byFile.Keys.Order());
        foreach (var clip in files.Where(file => file.EndsWith(".wav") && !file.Contains("empty")))
        {
            Assert.Equal("succeeded", byFile[clip][2]);
            Assert.InRange(byFile[clip][4..11].Sum(double.Parse), 1 - 1e-4, 1 + 1e-4);
        }
        Assert.Equal(("failed", "unsupported_format"), (byFile["notes/readme.txt"][2], byFile["notes/readme.txt"][12]));
        Assert.Equal(("refused", "empty_upload"), (byFile["empty.wav"][2], byFile["empty.wav"][12]));
        Assert.Equal(files.Count - 1, await CountJobsAsync(api));   // every file sent once; the empty one was refused
    }

    [Fact]
    public async Task An_interrupted_run_resumes_and_every_file_gets_exactly_one_json_line()
    {
        using var api = EmbeddedApi.OnKestrel();
        var files = WriteFolder(clips: 12);
        var output = Path.Combine(_work.Root, "results.jsonl");
        var state = Path.Combine(_work.Root, "results.state.jsonl");
        string[] args = ["submit", Folder, "--server", api.ClientOptions.BaseAddress.ToString(), "--output", output, "--format", "jsonl", "--parallel", "1"];

        using var interrupt = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!File.Exists(state) || (await ReadShared(state)).Count(line => line.Contains("\"jobId\":\"")) < 3)
            {
                await Task.Delay(10);
            }
            await interrupt.CancelAsync();   // Ctrl+C after three files were sent
        });
        var interrupted = await CliApplication.RunAsync(args, new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() },
            interrupt.Token);
        await watcher;
        Assert.NotEqual(0, interrupted);
        var sentBefore = (await ReadShared(state)).Count(line => line.Contains("\"jobId\":\""));
        Assert.InRange(sentBefore, 3, files.Count - 1);

        var resumed = await RunAsync(args);

        Assert.Equal(0, resumed.ExitCode);
        var lines = (await File.ReadAllLinesAsync(output)).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal(files.Order(), lines.Select(line => line["file"]!.GetValue<string>()).Order());
        Assert.All(lines.Where(line => line["file"]!.GetValue<string>().StartsWith("clip")), line =>
        {
            Assert.Equal("succeeded", line["status"]!.GetValue<string>());
            Assert.Equal(7, line["probabilities"]!.AsObject().Count);
        });
        // A file is sent again only if the interruption fell between its upload and the state line (at most one here).
        Assert.InRange(await CountJobsAsync(api), files.Count - 1, files.Count);
    }

    /// <summary>clip-00.wav ..., a text file in a subfolder (the service fails it: not audio), an empty file (refused at upload).</summary>
    private List<string> WriteFolder(int clips)
    {
        Directory.CreateDirectory(Path.Combine(Folder, "notes"));
        var files = new List<string>();
        foreach (var i in Enumerable.Range(0, clips))
        {
            File.WriteAllBytes(Path.Combine(Folder, $"clip-{i:00}.wav"), GeneratedAudio.Tone(1, 250 + 20 * i));
            files.Add($"clip-{i:00}.wav");
        }
        File.WriteAllText(Path.Combine(Folder, "notes", "readme.txt"), "not audio");
        File.WriteAllBytes(Path.Combine(Folder, "empty.wav"), []);
        File.WriteAllText(Path.Combine(Folder, ".hidden.wav"), "skipped: hidden");
        return [.. files, "notes/readme.txt", "empty.wav"];
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApplication.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        return (exitCode, output.ToString());
    }

    private static async Task<List<string>> ReadShared(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return [.. (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<int> CountJobsAsync(EmbeddedApi api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.CountAsync();
    }

    public void Dispose() => _work.Dispose();
}
