using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SpeechEmotion.IntegrationTests.Infrastructure;

/// <summary>
/// src/Api in-process, on a real Kestrel socket on a free port (so request-size limits and multipart parsing behave
/// as deployed), configured by the given settings (colon keys, e.g. SpeechEmotion:Mode).
/// </summary>
public sealed class KestrelApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public KestrelApiFactory(IReadOnlyDictionary<string, string> settings)
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
