using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SpeechEmotion.TestSupport.Processes;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL and a RabbitMQ of one test class's own, for tests that stop, kill and restart them (outages). Each
/// lives in a fresh folder under the temp directory on free loopback ports, so the shared servers of
/// deploy/local-servers.sh (55432, 5672), which other test runs use, are never touched. Needs root (the servers run as
/// the postgres and rabbitmq users, as the Debian packages run them) and the Debian packages themselves.
/// </summary>
public sealed class PrivateServers : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("speechemotion-outage-").FullName;

    public PrivatePostgres Postgres { get; private set; } = null!;
    public PrivateRabbitMq RabbitMq { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenToServerUsers(_root);
        Postgres = new PrivatePostgres(Path.Combine(_root, "postgres"));
        RabbitMq = new PrivateRabbitMq(Path.Combine(_root, "rabbitmq"));
        await Task.WhenAll(Postgres.InitializeAsync(), RabbitMq.StartAsync());
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Postgres.StopAsync(), RabbitMq.StopAsync());
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { /* a server's last log line */ }
    }

    /// <summary>
    /// The servers run as their own users (postgres, rabbitmq); they must be able to walk into a root-owned folder of
    /// the temp directory (Unix only, as the Debian packages these tests run are).
    /// </summary>
    internal static void OpenToServerUsers(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>A TCP port nothing listens on right now (the OS picks it).</summary>
    public static int FreePort() => SpeechEmotion.TestSupport.Net.LoopbackPorts.FreePort();

    /// <summary>Runs a command to its end; throws with its output when it fails.</summary>
    internal static async Task<string> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) startInfo.Environment[key] = value;
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var all = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', startInfo.ArgumentList)} exited with {process.ExitCode}: {all}");
        }
        return all;
    }

    /// <summary>Waits until the port is open (or closed). With <paramref name="server"/>, gives up as soon as that
    /// process has exited; <paramref name="output"/>, what it printed, goes into the exception.</summary>
    internal static async Task WaitForPortAsync(int port, bool open, TimeSpan timeout, string what,
        Process? server = null, ProcessOutput? output = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsOpen(port) != open)
        {
            var exited = server is { HasExited: true };
            if (exited || DateTime.UtcNow > deadline)
            {
                var state = exited ? $"the process exited with {server!.ExitCode}" : $"still {(open ? "closed" : "open")} after {timeout}";
                throw new TimeoutException($"{what}: port {port}: {state}." + (output is null ? "" : $" Its last output:\n{output}"));
            }
            await Task.Delay(200);
        }
    }

    internal static bool IsOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>PostgreSQL 15 in its own data folder and port, started, stopped and restarted with pg_ctl.</summary>
public sealed class PrivatePostgres(string baseDirectory)
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dataDirectory = Path.Combine(baseDirectory, "data");
    private readonly string _logFile = Path.Combine(baseDirectory, "server.log");

    public int Port { get; } = PrivateServers.FreePort();
    /// <summary>A database we may connect to in order to create others (what <see cref="Sandbox"/> needs).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(baseDirectory);
        await PrivateServers.RunAsync("chown", ["postgres:postgres", baseDirectory]);
        await AsPostgres($"{Bin}/initdb", "-D", _dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        await File.AppendAllTextAsync(Path.Combine(_dataDirectory, "postgresql.conf"),
            $"listen_addresses = '127.0.0.1'\nport = {Port}\nunix_socket_directories = '{_dataDirectory}'\nfsync = off\nmax_connections = 200\n");
        await StartAsync();
    }

    public Task StartAsync() =>
        AsPostgres($"{Bin}/pg_ctl", "-D", _dataDirectory, "-l", _logFile, "-w", "-t", "60", "start");

    /// <summary>
    /// Immediate mode: every connection is cut at once and the server is gone, as in a crash or a container kill
    /// (the next start recovers from the write-ahead log).
    /// </summary>
    public async Task StopAsync()
    {
        if (!File.Exists(Path.Combine(_dataDirectory, "postmaster.pid"))) return;
        await AsPostgres($"{Bin}/pg_ctl", "-D", _dataDirectory, "-m", "immediate", "-w", "stop");
    }

    /// <summary>Down for <paramref name="downtime"/>, then up again.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await StartAsync();
    }

    private static Task<string> AsPostgres(string file, params string[] arguments) =>
        PrivateServers.RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments]);
}

/// <summary>
/// RabbitMQ 3.10 as its own Erlang node (RABBITMQ_NODENAME, RABBITMQ_MNESIA_BASE, ...) with the management plugin, on
/// free ports. Started with setsid so that the whole node (script, Erlang VM) is one process group to stop.
/// </summary>
public sealed class PrivateRabbitMq(string baseDirectory)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _nodeName = $"se-it-{Guid.NewGuid():N}"[..16] + "@localhost";
    private readonly ProcessOutput _output = new(keepLast: 40);
    private Process? _node;
    private bool _hasRun;

    public int Port { get; private set; } = PrivateServers.FreePort();
    public int ManagementPort { get; private set; } = PrivateServers.FreePort();
    public int DistributionPort { get; private set; } = PrivateServers.FreePort();
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");
    public Uri ManagementUri => new($"http://127.0.0.1:{ManagementPort}/");

    /// <summary>
    /// Starts the node and waits for its AMQP and management ports. The very first start gets one more try on fresh
    /// ports when the node dies or never listens (a free port taken by someone else between our probe and the node's
    /// bind fails it); a restart keeps its ports, which the services under test already hold.
    /// </summary>
    public async Task StartAsync()
    {
        if (_hasRun)
        {
            await LaunchAsync();
            return;
        }

        try
        {
            await PrepareFolderAsync();
            await LaunchAsync();
        }
        catch (TimeoutException first)
        {
            await KillGroupAsync();
            (Port, ManagementPort, DistributionPort) = (PrivateServers.FreePort(), PrivateServers.FreePort(), PrivateServers.FreePort());
            await PrepareFolderAsync();
            try
            {
                await LaunchAsync();
            }
            catch (TimeoutException second)
            {
                throw new TimeoutException($"{second.Message}\nThe first try, on other ports: {first.Message}");
            }
        }
        _hasRun = true;
    }

    private async Task LaunchAsync()
    {
        var startInfo = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "runuser", "-u", "rabbitmq", "--", "/usr/lib/rabbitmq/bin/rabbitmq-server" },
            WorkingDirectory = baseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["HOME"] = "/var/lib/rabbitmq";   // the rabbitmq user's Erlang cookie
        startInfo.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";   // an epmd this node starts listens on loopback only
        startInfo.Environment["RABBITMQ_NODENAME"] = _nodeName;
        startInfo.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        startInfo.Environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString();
        startInfo.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(baseDirectory, "mnesia");
        startInfo.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(baseDirectory, "log");
        startInfo.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(baseDirectory, "rabbitmq.conf");
        startInfo.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(baseDirectory, "enabled_plugins");
        _node = new Process { StartInfo = startInfo };
        _output.Follow(_node);
        _node.Start();
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
        await WaitForListeningAsync(Port, $"RabbitMQ node {_nodeName}");
        await WaitForListeningAsync(ManagementPort, $"RabbitMQ management of {_nodeName}");
    }

    private Task WaitForListeningAsync(int port, string what) =>
        PrivateServers.WaitForPortAsync(port, open: true, StartTimeout, what, _node, _output);

    /// <summary>SIGKILL to whatever is left of a node that failed to start (its Erlang VM may outlive the script).</summary>
    private async Task KillGroupAsync()
    {
        try { await PrivateServers.RunAsync("kill", ["-KILL", "--", $"-{_node!.Id}"]); }
        catch (InvalidOperationException) { /* the group is gone already */ }
        await _node!.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM to the node's process group: RabbitMQ closes every connection and stops.</summary>
    public async Task StopAsync()
    {
        if (_node is null || _node.HasExited) return;
        await PrivateServers.RunAsync("kill", ["-TERM", "--", $"-{_node.Id}"]);
        await _node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await PrivateServers.WaitForPortAsync(Port, open: false, TimeSpan.FromSeconds(30), $"RabbitMQ node {_nodeName} stopping");
        // The node started epmd (on loopback) if none ran, and leaves it behind; epmd refuses to quit while another
        // Erlang node (the test servers' broker) still uses it.
        try { await PrivateServers.RunAsync("epmd", ["-kill"]); }
        catch (InvalidOperationException) { /* another node still uses it */ }
    }

    private async Task PrepareFolderAsync()
    {
        Directory.CreateDirectory(Path.Combine(baseDirectory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(baseDirectory, "log"));
        await File.WriteAllTextAsync(Path.Combine(baseDirectory, "enabled_plugins"), "[rabbitmq_management].");
        await File.WriteAllTextAsync(Path.Combine(baseDirectory, "rabbitmq.conf"),
            $"listeners.tcp.1 = 127.0.0.1:{Port}\nmanagement.tcp.port = {ManagementPort}\nmanagement.tcp.ip = 127.0.0.1\n");
        await PrivateServers.RunAsync("chown", ["-R", "rabbitmq:rabbitmq", baseDirectory]);
    }
}
