using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL and RabbitMQ servers of this test run, found once for all test classes:
/// from SPEECHEMOTION_TEST_POSTGRES / SPEECHEMOTION_TEST_RABBITMQ when both are set (./test.sh sets them from
/// deploy/local-servers.sh), else containers started with Testcontainers when Docker is reachable.
/// With neither, it throws, which fails every test of the collection with the message below: a missing server must
/// never look like a passing suite.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    public const string PostgresVariable = "SPEECHEMOTION_TEST_POSTGRES";
    public const string RabbitMqVariable = "SPEECHEMOTION_TEST_RABBITMQ";
    /// <summary>Optional: the RabbitMQ management API, when it is not at http://(amqp host):15672/.</summary>
    public const string RabbitMqManagementVariable = "SPEECHEMOTION_TEST_RABBITMQ_MANAGEMENT";

    private const int ManagementPort = 15672;

    private PostgreSqlContainer? _postgresContainer;
    private RabbitMqContainer? _rabbitMqContainer;

    /// <summary>Npgsql connection string of a database we may connect to in order to create others.</summary>
    public string PostgresConnectionString { get; private set; } = "";
    /// <summary>amqp://user:password@host:port/ of the broker (default virtual host).</summary>
    public Uri RabbitMqUri { get; private set; } = null!;
    public Uri RabbitMqManagementUri { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable);
        var rabbitMq = Environment.GetEnvironmentVariable(RabbitMqVariable);
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbitMq))
        {
            PostgresConnectionString = postgres;
            RabbitMqUri = new Uri(rabbitMq);
            var management = Environment.GetEnvironmentVariable(RabbitMqManagementVariable);
            RabbitMqManagementUri = string.IsNullOrWhiteSpace(management)
                ? new UriBuilder("http", RabbitMqUri.Host, ManagementPort).Uri
                : new Uri(management);
            return;
        }

        try
        {
            await StartContainersAsync();
        }
        catch (Exception dockerProblem)
        {
            throw new InvalidOperationException(
                "The integration tests need PostgreSQL and RabbitMQ and found neither " +
                $"{PostgresVariable}/{RabbitMqVariable} nor a reachable Docker engine. " +
                "Run ./test.sh (it starts the Debian servers with deploy/local-servers.sh), or run " +
                "'deploy/local-servers.sh start' and 'eval \"$(deploy/local-servers.sh env)\"' before dotnet test. " +
                $"Docker said: {dockerProblem.Message}", dockerProblem);
        }
    }

    private async Task StartContainersAsync()
    {
        _postgresContainer = new PostgreSqlBuilder("postgres:15")
            .Build();
        // The management image, so the tests can create a virtual host per run through its HTTP API.
        _rabbitMqContainer = new RabbitMqBuilder("rabbitmq:3.10-management")
            .WithUsername("guest")
            .WithPassword("guest")
            .WithPortBinding(ManagementPort, assignRandomHostPort: true)
            .Build();
        await Task.WhenAll(_postgresContainer.StartAsync(), _rabbitMqContainer.StartAsync());

        PostgresConnectionString = _postgresContainer.GetConnectionString();
        RabbitMqUri = new Uri(_rabbitMqContainer.GetConnectionString());
        RabbitMqManagementUri = new UriBuilder("http", _rabbitMqContainer.Hostname,
            _rabbitMqContainer.GetMappedPublicPort(ManagementPort)).Uri;
    }

    public async Task DisposeAsync()
    {
        if (_postgresContainer is not null) await _postgresContainer.DisposeAsync();
        if (_rabbitMqContainer is not null) await _rabbitMqContainer.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<TestServers>
{
    /// <summary>Every integration test class joins this collection: one set of servers, tests run one at a time.</summary>
    public const string Name = "servers";
}
