using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Recovery;
using SpeechEmotion.TestSupport.Http;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// src/Api in embedded mode (in-memory bus, SQLite, consumer in-process) with its own temporary data directory.
/// Settings go in through UseSetting so even what Program.cs reads before Build() sees them.
/// The background recovery sweep is left out: its first pass runs as soon as the host has started and would race
/// with the rows a test seeds; tests that need a sweep run <see cref="StuckJobRecovery"/> themselves.
/// </summary>
public class EmbeddedApi : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _replaceServices;
    private readonly bool _ownsDataDirectory;
    private IHostApplicationLifetime? _lifetime;

    public EmbeddedApi() : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>An Api with extra settings (colon keys) and, optionally, services replaced after the Api registered its own.</summary>
    public static EmbeddedApi With(IDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null) =>
        new(settings, replaceServices);

    /// <summary>An Api behind a real Kestrel on a free loopback port (BaseAddress), for tests of the HTTP server itself.</summary>
    public static EmbeddedApi OnKestrel(IDictionary<string, string?>? settings = null)
    {
        var api = new EmbeddedApi(settings ?? new Dictionary<string, string?>());
        api.UseKestrel(0);
        api.StartServer();
        return api;
    }

    /// <summary>
    /// A restart: a new Api on the data directory of <paramref name="earlier"/> (stopped by now), which keeps owning
    /// the folder and deletes it when it is disposed.
    /// </summary>
    public static EmbeddedApi RestartOf(EmbeddedApi earlier, IDictionary<string, string?>? settings = null)
    {
        var api = new EmbeddedApi(settings ?? new Dictionary<string, string?>(), replaceServices: null, earlier.DataDirectory);
        // Started on a flow of its own: MassTransit keeps its log context in an AsyncLocal, which the earlier host
        // (started from the test's flow) left set to its own logger factory, disposed since.
        using (ExecutionContext.SuppressFlow())
        {
            Task.Run(api.StartServer).GetAwaiter().GetResult();
        }
        return api;
    }

    // Not public: an xunit class fixture may only have one public constructor.
    private EmbeddedApi(IDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null, string? dataDirectoryOfEarlier = null)
    {
        _ownsDataDirectory = dataDirectoryOfEarlier is null;
        DataDirectory = dataDirectoryOfEarlier ?? Directory.CreateTempSubdirectory("speech-emotion-tests-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["SpeechEmotion:Mode"] = "Embedded",
            ["Storage:DataDirectory"] = DataDirectory,
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
        _replaceServices = replaceServices;
    }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(RemoveBackgroundSweep);
        if (_replaceServices is not null)
        {
            builder.ConfigureServices(_replaceServices);
        }
    }

    private static void RemoveBackgroundSweep(IServiceCollection services)
    {
        var sweep = services.Single(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(RecoverySweep));
        services.Remove(sweep);
    }

    public static MultipartFormDataContent Upload(byte[] content, string fileName = "clip.wav", string contentType = "audio/wav",
        string? metadata = null, string? callbackUrl = null) =>
        JobUpload.Form(content, fileName, contentType, [new("metadata", metadata), new("callbackUrl", callbackUrl)]);

    public async Task<Guid> SubmitAsync(HttpClient client, byte[] content, string fileName = "clip.wav")
    {
        using var response = await client.PostAsync("/jobs", Upload(content, fileName));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"POST /jobs answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    public static Task<JsonObject> GetJobAsync(HttpClient client, Guid id) => JobPolling.GetJobAsync(client, id);

    public static Task<JsonObject> WaitUntilFinishedAsync(HttpClient client, Guid id, TimeSpan? timeout = null) =>
        JobPolling.WaitForStatusAsync(client, id, timeout ?? TimeSpan.FromSeconds(30), JobPolling.Finished, TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// Reads the row straight from the SQLite file, not through the host's services: it works the same while the
    /// host runs and after it has stopped (Program's app.Run() disposes the host's service provider once a stop is
    /// requested, so anything resolved from <c>Services</c> after a stop races with that disposal).
    /// </summary>
    public async Task<Job> ReadJobRowAsync(Guid id)
    {
        await using var db = OpenDatabaseFile();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    /// <summary>Every job row, read as <see cref="ReadJobRowAsync"/> reads one.</summary>
    public async Task<List<Job>> ReadJobRowsAsync()
    {
        await using var db = OpenDatabaseFile();
        return await db.Jobs.AsNoTracking().ToListAsync();
    }

    private SqliteJobsDbContext OpenDatabaseFile() => OpenDatabaseFile(DataDirectory);

    /// <summary>The SQLite file of an embedded service's data directory (an Api process of a test's own too).</summary>
    public static SqliteJobsDbContext OpenDatabaseFile(string dataDirectory) => new(new DbContextOptionsBuilder<SqliteJobsDbContext>()
        // No pooling: the test's connection must not keep the file open after the read.
        .UseSqlite($"Data Source={Path.Combine(dataDirectory, StorageServiceCollectionExtensions.EmbeddedDatabaseFileName)};Pooling=False")
        .Options);

    public async Task<bool> IsReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        return response.IsSuccessStatusCode;
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        _lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        return host;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopInOrder();
        }
        base.Dispose(disposing);
        if (!_ownsDataDirectory)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the folder is in the temp directory anyway.
        }
    }

    /// <summary>
    /// Stops the host as a real process stops: ApplicationStopping, the hosted services (the bus among them) stopped,
    /// and only then, at disposal, the services disposed; completes once the host reports itself stopped (at once if
    /// it already has). Throws <see cref="TimeoutException"/> past <paramref name="timeout"/>.
    /// </summary>
    public Task StopAsync(TimeSpan timeout)
    {
        var lifetime = _lifetime ?? throw new InvalidOperationException("The host was never started.");
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        lifetime.StopApplication();
        return stopped.Task.WaitAsync(timeout);
    }

    /// <summary>
    /// WebApplicationFactory's own dispose of a Program that calls app.Run() disposes the service provider while the
    /// in-memory bus may still hand its queue to the consumer: each message then fails to make its scope and is
    /// retried, and a backlog of 2,300 messages held a CI run's dispose for over 10 minutes. So the host is stopped
    /// in order first, bounded: a host that cannot stop in time is still disposed (the test fails on its own assertions).
    /// </summary>
    private void StopInOrder()
    {
        if (_lifetime is null)
        {
            return;   // never started
        }
        try
        {
            StopAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
        }
    }
}
