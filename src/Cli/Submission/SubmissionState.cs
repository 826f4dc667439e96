using System.Text.Json;

namespace SpeechEmotion.Cli.Submission;

/// <summary>
/// What <c>submit</c> has done so far, one JSON line per step, appended and flushed as it happens: a file was sent
/// (with its job id), a file's result was written. A run that stops (Ctrl+C, crash, lost network) leaves the file
/// behind, and the next run sends only the files never sent and waits only for the results never written.
/// </summary>
internal sealed class SubmissionState : IAsyncDisposable
{
    private sealed record Line(string File, Guid? JobId = null, bool Done = false);

    private readonly Dictionary<string, Guid> _submitted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _write = new(1, 1);

    private SubmissionState(StreamWriter writer) => _writer = writer;

    public static async Task<SubmissionState> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path, cancellationToken) : [];
        var state = new SubmissionState(new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)));
        foreach (var text in lines.Where(text => !string.IsNullOrWhiteSpace(text)))
        {
            state.Apply(ParseLine(text));
        }
        return state;
    }

    public IReadOnlyDictionary<string, Guid> Submitted => _submitted;

    public bool IsDone(string file) => _done.Contains(file);

    public Task RecordSubmittedAsync(string file, Guid jobId) => AppendAsync(new Line(file, JobId: jobId));

    public Task RecordDoneAsync(string file) => AppendAsync(new Line(file, Done: true));

    private async Task AppendAsync(Line line)
    {
        await _write.WaitAsync();
        try
        {
            Apply(line);
            await _writer.WriteLineAsync(JsonSerializer.Serialize(line, JsonSerializerOptions.Web));
            await _writer.FlushAsync();
        }
        finally
        {
            _write.Release();
        }
    }

    private void Apply(Line line)
    {
        if (line.JobId is { } jobId)
        {
            _submitted[line.File] = jobId;
        }
        if (line.Done)
        {
            _done.Add(line.File);
        }
    }

    /// <summary>A line cut short by a crash mid-write is the last one; it is ignored (that step is simply done again).</summary>
    private static Line ParseLine(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Line>(text, JsonSerializerOptions.Web) ?? new Line("");
        }
        catch (JsonException)
        {
            return new Line("");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _write.Dispose();
    }
}
