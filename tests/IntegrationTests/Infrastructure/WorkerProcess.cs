using System.Diagnostics;
using System.Reflection;
using SpeechEmotion.TestSupport.Processes;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// A src/Worker running as its own OS process (<c>dotnet SpeechEmotion.Worker.dll</c>), configured through
/// environment variables exactly as a deployment would configure it. Separate processes are the point: they
/// compete over RabbitMQ and PostgreSQL for real, and one can be killed mid-job.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output = new(keepLast: 400);

    public string Name { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    /// <summary>What the worker writes into jobs.WorkerName (src/Processing WorkerIdentity: machine:pid).</summary>
    public string Identity => $"{Environment.MachineName}:{_process.Id}";

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>Where the build put the Worker (written into this assembly by IntegrationTests.csproj).</summary>
    public static string AssemblyPath { get; } = typeof(WorkerProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "WorkerAssemblyPath").Value!;

    /// <param name="settings">Configuration keys in colon form (Processing:LeaseDuration); sent as environment variables.</param>
    public static WorkerProcess Start(string name, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(AssemblyPath))
        {
            throw new FileNotFoundException($"The Worker is not built at {AssemblyPath}; build the solution first.", AssemblyPath);
        }

        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { AssemblyPath },
            // The Worker's folder is its content root: appsettings.json is found there.
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            startInfo.Environment[key.Replace(":", "__")] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new WorkerProcess(name, process);
        worker._output.Follow(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The last lines the worker printed: attached to assertion messages when something goes wrong.</summary>
    public string RecentOutput => $"--- {Name} (pid {_process.Id}) ---{Environment.NewLine}{string.Join(Environment.NewLine, _output.Lines)}";

    /// <summary>The last lines the worker printed (stdout and stderr), oldest first.</summary>
    public IReadOnlyList<string> OutputLines => _output.Lines;

    /// <summary>SIGKILL, like a crash or an OOM kill: no graceful shutdown, no message acknowledged.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
