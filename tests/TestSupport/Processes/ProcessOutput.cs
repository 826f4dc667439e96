using System.Diagnostics;

namespace SpeechEmotion.TestSupport.Processes;

/// <summary>
/// What a child process the tests start printed, stdout and stderr in arrival order: every line, or only the last
/// <paramref name="keepLast"/> for a process that runs long (a worker, a broker) and is read only when a test fails.
/// </summary>
public sealed class ProcessOutput(int keepLast = int.MaxValue)
{
    private readonly Queue<string> _lines = new();

    /// <summary>Keeps every line <paramref name="process"/> prints; call before its BeginOutputReadLine/BeginErrorReadLine.</summary>
    public void Follow(Process process)
    {
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    public override string ToString() => string.Join('\n', Lines);

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > keepLast) _lines.Dequeue();
        }
    }
}
