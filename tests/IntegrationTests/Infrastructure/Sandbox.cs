using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using SpeechEmotion.Processing.Consuming;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database and a fresh RabbitMQ virtual host for one test class, so tests never see each
/// other's jobs or messages, and a rerun never sees a previous run's. Both are removed on dispose.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private readonly string _serverConnectionString;
    private readonly Uri _rabbitMqUri;
    private readonly Uri _managementUri;
    private readonly HttpClient _management;

    public string Name { get; }
    /// <summary>ConnectionStrings:Jobs for the Api and the workers.</summary>
    public string JobsConnectionString { get; }
    /// <summary>ConnectionStrings:RabbitMq for the Api and the workers: the broker URI with our virtual host.</summary>
    public string RabbitMqConnectionString { get; }

    private Sandbox(string postgresConnectionString, Uri rabbitMqUri, Uri managementUri, string name)
    {
        _serverConnectionString = postgresConnectionString;
        _rabbitMqUri = rabbitMqUri;
        _managementUri = managementUri;
        Name = name;
        JobsConnectionString = new NpgsqlConnectionStringBuilder(postgresConnectionString) { Database = name }.ConnectionString;
        RabbitMqConnectionString = new UriBuilder(rabbitMqUri) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
        _management = ManagementClient(rabbitMqUri, managementUri);
    }

    /// <param name="postgresConnectionString">a database we may connect to in order to create ours</param>
    /// <param name="rabbitMqUri">amqp://user:password@host:port/ of the broker</param>
    /// <param name="managementUri">its management HTTP API</param>
    public static async Task<Sandbox> CreateAsync(string postgresConnectionString, Uri rabbitMqUri, Uri managementUri)
    {
        var sandbox = new Sandbox(postgresConnectionString, rabbitMqUri, managementUri, $"se_it_{Guid.NewGuid():N}");
        await sandbox.CreateDatabaseAsync();
        await sandbox.CreateVirtualHostAsync();
        return sandbox;
    }

    /// <summary>How many consumers each queue of our virtual host has right now (management API).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ConsumersPerQueueAsync()
    {
        var consumers = await _management.GetFromJsonAsync<JsonArray>($"api/consumers/{VirtualHostPath}") ?? [];
        return consumers
            .Select(consumer => consumer!["queue"]!["name"]!.GetValue<string>())
            .GroupBy(queue => queue)
            .ToDictionary(group => group.Key, group => group.Count());
    }

    /// <summary>
    /// Waits until the jobs queue has at least <paramref name="count"/> consumers: the workers are listening. Not "any
    /// queue": the Api's own broker-watch queue has a consumer long before any worker does.
    /// </summary>
    public async Task WaitForConsumersAsync(int count, TimeSpan timeout, string queue = AnalyzeRecordingConsumerDefinition.QueueName)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var perQueue = await ConsumersPerQueueAsync();
            if (perQueue.GetValueOrDefault(queue) >= count) return;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Queue {queue} of virtual host {Name} did not reach {count} consumers within {timeout}; " +
                    $"consumers now: {string.Join(", ", perQueue.Select(q => $"{q.Key}={q.Value}"))}");
            }
            await Task.Delay(250);
        }
    }

    private string VirtualHostPath => Uri.EscapeDataString(Name);

    private async Task CreateDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task CreateVirtualHostAsync()
    {
        var created = await _management.PutAsync($"api/vhosts/{VirtualHostPath}", null);
        await EnsureManagementSuccess(created, "create the virtual host");
        var user = Uri.EscapeDataString(UserOf(_rabbitMqUri).User);
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        var granted = await _management.PutAsync($"api/permissions/{VirtualHostPath}/{user}", permissions);
        await EnsureManagementSuccess(granted, "grant permissions on the virtual host");
    }

    private async Task EnsureManagementSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new InvalidOperationException(
            $"RabbitMQ management API at {_managementUri} could not {what}: {(int)response.StatusCode} {body}. " +
            "The tests need the rabbitmq_management plugin (deploy/local-servers.sh enables it).");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DeleteVirtualHostAsync();
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_serverConnectionString);
            await connection.OpenAsync();
            // FORCE: a worker we just killed may still hold a connection for a moment.
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            _management.Dispose();
        }
    }

    private async Task DeleteVirtualHostAsync()
    {
        try
        {
            await _management.DeleteAsync($"api/vhosts/{VirtualHostPath}");
        }
        catch (HttpRequestException)
        {
            // An outage test's private broker may be down right now; it is deleted with its folder anyway.
        }
    }

    private static HttpClient ManagementClient(Uri amqpUri, Uri managementUri)
    {
        var (user, password) = UserOf(amqpUri);
        var client = new HttpClient { BaseAddress = managementUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    private static (string User, string Password) UserOf(Uri amqpUri)
    {
        var parts = Uri.UnescapeDataString(amqpUri.UserInfo).Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0 ? (parts[0], parts[1]) : ("guest", "guest");
    }
}
