using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using SpeechEmotion.Processing.Hosting;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Hosting;

/// <summary>
/// The documented ways to choose the port all work on the real processes (a "Urls" in appsettings.json used to beat
/// ASPNETCORE_URLS), and the built-in default applies only when none is used.
/// </summary>
public sealed class ListenAddressTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Empty for each test: the database is created and migrated by the process under test.</summary>
    private readonly TempFolder _dataDirectory = new("speech-emotion-listen-");

    public void Dispose() => _dataDirectory.Dispose();

    [Fact]
    public async Task Api_listens_where_ASPNETCORE_URLS_says_and_its_first_start_logs_no_error()
    {
        var port = ServiceProcess.FreePort();
        var environment = Embedded();
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        await using var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, environment);

        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/ready", StartTimeout);

        Assert.Contains(api.Output, line => line.Contains("Jobs database is migrated"));
        Assert.DoesNotContain(api.Output, line => line.StartsWith("fail:") || line.StartsWith("crit:"));
    }

    [Theory]
    [InlineData("--urls")]
    [InlineData("--Urls")]
    public async Task Api_listens_where_the_urls_argument_says(string option)
    {
        var port = ServiceProcess.FreePort();
        await using var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, Embedded(),
            option, $"http://127.0.0.1:{port}");

        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/live", StartTimeout);
    }

    [Fact]
    public async Task Api_listens_where_the_Urls_variable_says()
    {
        var port = ServiceProcess.FreePort();
        var environment = Embedded();
        environment["Urls"] = $"http://127.0.0.1:{port}";
        await using var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, environment);

        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/live", StartTimeout);
    }

    [Fact]
    public async Task Worker_listens_where_ASPNETCORE_URLS_says()
    {
        var port = ServiceProcess.FreePort();
        var environment = Embedded();
        environment["SpeechEmotion__Mode"] = "Embedded";   // no servers needed to start
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        await using var worker = ServiceProcess.Start(ServiceProcess.WorkerAssemblyPath, environment);

        await worker.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/live", StartTimeout);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task A_service_on_a_port_already_in_use_says_so_and_exits_1(string service)
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        var (assembly, environment) = service == "api"
            ? (ServiceProcess.ApiAssemblyPath, Embedded())
            : (ServiceProcess.WorkerAssemblyPath, new Dictionary<string, string>(Embedded()) { ["SpeechEmotion__Mode"] = "Embedded" });
        await using var process = ServiceProcess.Start(assembly, environment, $"--urls=http://127.0.0.1:{port}");

        var exitCode = await process.WaitForExitAsync(StartTimeout);

        Assert.Equal(1, exitCode);   // not 134, an unhandled exception's abort
        Assert.Contains(process.Output, line => line.Contains("Cannot listen:") && line.Contains("address already in use"));
        Assert.DoesNotContain(process.Output, line => line.Contains("BackgroundService failed"));
    }

    [Theory]
    [InlineData(new string[0], "http://localhost:5080")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:6001" }, "http://127.0.0.1:6001")]
    [InlineData(new[] { "--http_ports", "6002" }, null)]
    [InlineData(new[] { "--Kestrel:Endpoints:Http:Url", "http://127.0.0.1:6003" }, null)]
    public void The_default_applies_only_when_no_address_is_configured(string[] args, string? expectedUrls)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });

        builder.ListenOnUnlessConfigured("http://localhost:5080");

        Assert.Equal(expectedUrls, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    private Dictionary<string, string> Embedded() => new() { ["Storage__DataDirectory"] = _dataDirectory.Root };
}
