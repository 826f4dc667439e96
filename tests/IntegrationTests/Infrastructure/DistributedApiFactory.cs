using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// src/Api in-process, on a real Kestrel socket (so request-size limits and multipart parsing behave as deployed),
/// configured for the distributed mode: it stores jobs in PostgreSQL and publishes to RabbitMQ; workers do the rest.
/// </summary>
public sealed class DistributedApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public DistributedApiFactory(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        UseKestrel(port: 0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting reaches the app as early as command-line arguments, so even settings Program.cs reads
        // before Build() (the mode, the connection strings) see these values.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
