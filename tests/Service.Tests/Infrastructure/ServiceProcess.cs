using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using SpeechEmotion.TestSupport.Processes;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// src/Api or src/Worker started as its own OS process (<c>dotnet SpeechEmotion.Api.dll</c>), configured only through
/// environment variables and arguments, as a user starts it: what WebApplicationFactory cannot show (which address
/// it listens on, what it logs on a first start).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output = new();

    private ServiceProcess(Process process) => _process = process;

    public static string ApiAssemblyPath => BuiltAssembly("ApiAssemblyPath");
    public static string WorkerAssemblyPath => BuiltAssembly("WorkerAssemblyPath");

    /// <summary>Everything the process printed so far (stdout and stderr, in arrival order).</summary>
    public IReadOnlyList<string> Output => _output.Lines;

    public static ServiceProcess Start(string assemblyPath, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            // Its own folder is its content root: appsettings.json is found there.
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // Only what the test sets: nothing inherited from the test runner's own ASP.NET Core settings.
        foreach (var key in startInfo.Environment.Keys.Where(IsHostingVariable).ToList())
        {
            startInfo.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var service = new ServiceProcess(process);
        service._output.Follow(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort() => SpeechEmotion.TestSupport.Net.LoopbackPorts.FreePort();

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails with the process output if it never does.</summary>
    public async Task WaitUntilAnswersAsync(string url, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the process exited ({_process.ExitCode}) before {url} answered:\n{string.Join('\n', Output)}");
            }
            try
            {
                using var response = await client.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, $"{url} did not answer 200 within {timeout}:\n{string.Join('\n', Output)}");
            await Task.Delay(200);
        }
    }

    /// <summary>For one-shot verbs (<c>keys ...</c>): waits for the process to end and gives its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the process did not exit within {timeout}:\n{string.Join('\n', Output)}");
        }
        _process.WaitForExit();   // drains the redirected output
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static bool IsHostingVariable(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || key.Equals("Urls", StringComparison.OrdinalIgnoreCase);

    private static string BuiltAssembly(string key)
    {
        var path = typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException($"Not built at {path}; build the solution first.", path);
    }
}
