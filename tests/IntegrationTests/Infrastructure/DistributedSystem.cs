using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.TestSupport.Http;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// One whole distributed deployment for one test: a fresh database and virtual host (<see cref="Sandbox"/>), the Api
/// in-process, and as many Worker processes as the test starts. Talks to the Api over HTTP only, like a client, and
/// reads job rows straight from PostgreSQL where the HTTP contract does not show bookkeeping (attempts).
/// Auth: the distributed default, Auth:Mode=ApiKeys. <see cref="Client"/> carries a key of tenant "integration", made
/// through the Api's own key store on the sandbox database, so every test also runs the key path.
/// </summary>
public sealed class DistributedSystem : IAsyncDisposable
{
    public static readonly TimeSpan DefaultJobTimeout = TimeSpan.FromSeconds(60);

    private readonly List<WorkerProcess> _workers = [];
    private readonly IReadOnlyDictionary<string, string?> _extraSettings;
    private KestrelApiFactory? _api;

    public Sandbox Sandbox { get; }
    public HttpClient Client { get; private set; } = null!;
    /// <summary>The key <see cref="Client"/> sends (Authorization: Bearer).</summary>
    public string ApiKey { get; private set; } = null!;
    public IReadOnlyList<WorkerProcess> Workers => _workers;

    private DistributedSystem(Sandbox sandbox, IReadOnlyDictionary<string, string?>? extraSettings)
    {
        Sandbox = sandbox;
        _extraSettings = extraSettings ?? new Dictionary<string, string?>();
    }

    /// <param name="extraSettings">Added to what the Api and every worker share (colon keys).</param>
    /// <param name="apiSettings">Added to or replacing the Api's settings only (e.g. Auth:Mode), not the workers'.</param>
    public static Task<DistributedSystem> StartAsync(TestServers servers, IReadOnlyDictionary<string, string?>? extraSettings = null,
        IReadOnlyDictionary<string, string>? apiSettings = null) =>
        StartAsync(servers.PostgresConnectionString, servers.RabbitMqUri, servers.RabbitMqManagementUri, extraSettings, apiSettings);

    /// <summary>On a test's own servers (<see cref="PrivateServers"/>), the ones an outage test stops and restarts.</summary>
    public static Task<DistributedSystem> StartAsync(PrivateServers servers) =>
        StartAsync(servers.Postgres.ConnectionString, servers.RabbitMq.AmqpUri, servers.RabbitMq.ManagementUri);

    private static async Task<DistributedSystem> StartAsync(string postgresConnectionString, Uri rabbitMqUri, Uri managementUri,
        IReadOnlyDictionary<string, string?>? extraSettings = null, IReadOnlyDictionary<string, string>? apiSettings = null)
    {
        var system = new DistributedSystem(await Sandbox.CreateAsync(postgresConnectionString, rabbitMqUri, managementUri), extraSettings);
        var settings = system.SharedSettings();
        foreach (var (key, value) in apiSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        system._api = new KestrelApiFactory(settings);
        system._api.StartServer();
        system.ApiKey = await system.CreateApiKeyAsync("integration");
        system.Client = system._api.CreateClient();
        system.Client.Timeout = TimeSpan.FromSeconds(120);
        system.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.ApiKey);
        return system;
    }

    /// <summary>A key of <paramref name="tenant"/>, made as <c>keys create</c> makes it, in the sandbox database.</summary>
    public async Task<string> CreateApiKeyAsync(string tenant)
    {
        await using var scope = _api!.Services.CreateAsyncScope();
        var (_, secret) = await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().CreateAsync(tenant, CancellationToken.None);
        return secret;
    }

    /// <summary>A client of the Api without any key.</summary>
    public HttpClient CreateClientWithoutKey() => _api!.CreateClient();

    /// <summary>What the Api and every worker share: the mode, the database, the broker, the model.</summary>
    public Dictionary<string, string> SharedSettings()
    {
        var settings = new Dictionary<string, string>
        {
            ["SpeechEmotion:Mode"] = "Distributed",
            ["ConnectionStrings:Jobs"] = Sandbox.JobsConnectionString,
            ["ConnectionStrings:RabbitMq"] = Sandbox.RabbitMqConnectionString,
            // Tests poll many jobs with one key: the per-key limit is RateLimitTests' subject, not these tests'.
            ["RateLimit:RequestsPerSecond"] = "100000",
            ["RateLimit:Burst"] = "100000",
        };
        var model = Path.Combine(RepositoryRoot, "models", "emotion-cnn.onnx");
        if (File.Exists(model))
        {
            settings["Analysis:ModelPath"] = model;
        }
        foreach (var (key, value) in _extraSettings)
        {
            settings[key] = value ?? "";
        }
        return settings;
    }

    /// <summary>Starts a worker process; <paramref name="overrides"/> adds to or replaces the shared settings.</summary>
    public WorkerProcess StartWorker(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = SharedSettings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var worker = WorkerProcess.Start(name, settings);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Waits until <paramref name="count"/> workers consume from the same queue, so none can grab every message first.</summary>
    public Task WaitForListeningWorkersAsync(int count) => Sandbox.WaitForConsumersAsync(count, TimeSpan.FromSeconds(60));

    /// <param name="expectContinue">
    /// Send "Expect: 100-continue" and wait for the server's go-ahead before the body, as curl does for large bodies.
    /// A server that refuses on Content-Length alone (413) then answers before any byte is sent; without it the client
    /// streams into a connection the server has already answered and closed, and sees only a reset.
    /// </param>
    public async Task<HttpResponseMessage> PostJobAsync(byte[] content, string fileName, string contentType = "audio/wav", bool expectContinue = false)
    {
        using var form = JobUpload.Form(content, fileName, contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = form };
        request.Headers.ExpectContinue = expectContinue;
        return await Client.SendAsync(request);
    }

    /// <summary>Submits and insists on 202 Accepted; returns the job id.</summary>
    public async Task<Guid> SubmitAsync(byte[] content, string fileName = "clip.wav")
    {
        using var response = await PostJobAsync(content, fileName);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /jobs answered {(int)response.StatusCode}: {body}");
        var id = JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
        return id;
    }

    public Task<JsonObject> GetJobAsync(Guid id) => JobPolling.GetJobAsync(Client, id);

    public static string StatusOf(JsonObject job) => job["status"]!.GetValue<string>();

    /// <summary>Polls GET /jobs/{id} until its status is one of <paramref name="statuses"/>.</summary>
    public Task<JsonObject> WaitForStatusAsync(Guid id, TimeSpan timeout, params string[] statuses) =>
        JobPolling.WaitForStatusAsync(Client, id, timeout, statuses, TimeSpan.FromMilliseconds(100), WorkerOutput);

    public Task<JsonObject> WaitForFinishedAsync(Guid id, TimeSpan? timeout = null) =>
        WaitForStatusAsync(id, timeout ?? DefaultJobTimeout, "succeeded", "failed");

    /// <summary>The bookkeeping columns of a job row, read from PostgreSQL.</summary>
    public async Task<JobRow> ReadJobRowAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """SELECT "Status", "Attempts", "WorkerName" FROM jobs WHERE "Id" = @id""", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"No row for job {id} in PostgreSQL database {Sandbox.Name}.");
        return new JobRow(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    /// <summary>When the newest finished job ended, as its row says (written by the worker that finished it).</summary>
    public async Task<DateTime> ReadLastCompletedAtAsync()
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT max("CompletedAt") FROM jobs""", connection);
        return DateTime.SpecifyKind((DateTime)(await command.ExecuteScalarAsync())!, DateTimeKind.Utc);
    }

    /// <summary>Audio no recording row points at: must stay zero whatever fails.</summary>
    public async Task<long> CountOrphanRecordingsAsync()
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """SELECT count(*) FROM recording_audio a WHERE NOT EXISTS (SELECT 1 FROM recordings r WHERE r."Id" = a."RecordingId")""", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What an Api killed between storing the audio and writing the rows would leave: audio alone.</summary>
    public async Task InsertRecordingWithoutJobAsync(Guid recordingId, DateTime createdAt)
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO recording_audio ("RecordingId", "Content", "CreatedAt") VALUES (@id, @content, @createdAt)
            """, connection);
        command.Parameters.AddWithValue("id", recordingId);
        command.Parameters.AddWithValue("content", new byte[] { 0 });
        command.Parameters.AddWithValue("createdAt", createdAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> RecordingExistsAsync(Guid recordingId)
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FROM recording_audio WHERE "RecordingId" = @id""", connection);
        command.Parameters.AddWithValue("id", recordingId);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public async Task<long> CountJobRowsAsync()
    {
        await using var connection = new NpgsqlConnection(Sandbox.JobsConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM jobs", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Everything the workers printed lately; for failure messages.</summary>
    public string WorkerOutput() => string.Join(Environment.NewLine, _workers.Select(worker => worker.RecentOutput));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
        Client?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    public static string RepositoryRoot { get; } = typeof(DistributedSystem).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;
}

public sealed record JobRow(string Status, int Attempts, string? WorkerName);
