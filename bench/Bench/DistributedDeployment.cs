using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// The distributed mode on the servers named by SPEECHEMOTION_TEST_POSTGRES / SPEECHEMOTION_TEST_RABBITMQ: a fresh
/// database and virtual host, the Api in this process, and worker processes. Removed again on dispose.
/// </summary>
public sealed class DistributedDeployment : IAsyncDisposable
{
    private readonly Sandbox _sandbox;
    private readonly KestrelApiFactory _api;
    private readonly List<WorkerProcess> _workers = [];

    public HttpClient Client { get; }
    public IReadOnlyList<WorkerProcess> Workers => _workers;

    private DistributedDeployment(Sandbox sandbox, KestrelApiFactory api, string apiKey)
    {
        _sandbox = sandbox;
        _api = api;
        Client = api.CreateClient();
        Client.Timeout = TimeSpan.FromSeconds(60);
        // The distributed default, Auth:Mode=ApiKeys: the bench is one tenant with one key.
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    private static async Task<string> CreateKeyAsync(KestrelApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().CreateAsync("bench", CancellationToken.None)).Secret;
    }

    public static async Task<DistributedDeployment> StartAsync(int workers)
    {
        var postgres = RequiredVariable("SPEECHEMOTION_TEST_POSTGRES");
        var rabbitMq = new Uri(RequiredVariable("SPEECHEMOTION_TEST_RABBITMQ"));
        var management = Environment.GetEnvironmentVariable("SPEECHEMOTION_TEST_RABBITMQ_MANAGEMENT") is { Length: > 0 } configured
            ? new Uri(configured)
            : new UriBuilder("http", rabbitMq.Host, 15672).Uri;
        var sandbox = await Sandbox.CreateAsync(postgres, rabbitMq, management);

        var api = new KestrelApiFactory(new Dictionary<string, string>(SettingsOf(sandbox))
        {
            ["Logging:LogLevel:Default"] = "Warning",
            // The bench measures the service, not the per-key limiter: one key sends every request of the run.
            ["RateLimit:RequestsPerSecond"] = "100000",
            ["RateLimit:Burst"] = "100000",
        });
        api.StartServer();
        var deployment = new DistributedDeployment(sandbox, api, await CreateKeyAsync(api));
        for (var i = 0; i < workers; i++)
        {
            var settings = SettingsOf(sandbox);
            settings["Logging:LogLevel:Default"] = "Warning";
            deployment._workers.Add(WorkerProcess.Start($"worker-{i + 1}", settings));
        }
        await sandbox.WaitForConsumersAsync(workers, TimeSpan.FromSeconds(90));
        return deployment;
    }

    public async Task<Guid> SubmitAsync(byte[] clip, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(clip);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", fileName);
        using var response = await Client.PostAsync("/jobs", form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /jobs answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    /// <summary>Counts of jobs by status, straight from PostgreSQL (cheaper than polling every job over HTTP).</summary>
    public async Task<Dictionary<string, int>> CountJobsByStatusAsync()
    {
        await using var connection = new NpgsqlConnection(_sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Status", count(*)::int FROM jobs GROUP BY "Status" """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, int>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    /// <summary>Waits until <paramref name="total"/> jobs are Succeeded or Failed; returns how many failed.</summary>
    public async Task<int> WaitUntilFinishedAsync(int total, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = await CountJobsByStatusAsync();
            var succeeded = counts.GetValueOrDefault("Succeeded");
            var failed = counts.GetValueOrDefault("Failed");
            if (succeeded + failed >= total) return failed;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {succeeded + failed} of {total} jobs finished within {timeout}: " +
                    string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}")));
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        Client.Dispose();
        await _api.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private static Dictionary<string, string> SettingsOf(Sandbox sandbox) => new()
    {
        ["SpeechEmotion:Mode"] = "Distributed",
        ["ConnectionStrings:Jobs"] = sandbox.JobsConnectionString,
        ["ConnectionStrings:RabbitMq"] = sandbox.RabbitMqConnectionString,
        ["Analysis:ModelPath"] = BenchPaths.ModelPath,
    };

    private static string RequiredVariable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set; run 'deploy/local-servers.sh start' and 'eval \"$(deploy/local-servers.sh env)\"'.");
}
