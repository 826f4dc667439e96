using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// src/Api in embedded mode (in-memory bus, SQLite, consumer in-process) with its own temporary data directory.
/// Settings go in through UseSetting so even what Program.cs reads before Build() sees them.
/// </summary>
public class EmbeddedApi : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _replaceServices;

    public EmbeddedApi() : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>An Api with extra settings (colon keys) and, optionally, services replaced after the Api registered its own.</summary>
    public static EmbeddedApi With(IDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null) =>
        new(settings, replaceServices);

    // Not public: an xunit class fixture may only have one public constructor.
    private EmbeddedApi(IDictionary<string, string?> settings, Action<IServiceCollection>? replaceServices = null)
    {
        DataDirectory = Directory.CreateTempSubdirectory("speech-emotion-tests-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["SpeechEmotion:Mode"] = "Embedded",
            ["Storage:DataDirectory"] = DataDirectory,
            // Tests drive the sweep themselves; the background one should not interfere.
            ["Processing:SweepInterval"] = "01:00:00",
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
        if (_replaceServices is not null)
        {
            builder.ConfigureServices(_replaceServices);
        }
    }

    public static MultipartFormDataContent Upload(byte[] content, string fileName = "clip.wav", string contentType = "audio/wav",
        string? metadata = null, string? callbackUrl = null)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (metadata is not null)
        {
            form.Add(new StringContent(metadata), "metadata");
        }
        if (callbackUrl is not null)
        {
            form.Add(new StringContent(callbackUrl), "callbackUrl");
        }
        return form;
    }

    public async Task<Guid> SubmitAsync(HttpClient client, byte[] content, string fileName = "clip.wav")
    {
        using var response = await client.PostAsync("/jobs", Upload(content, fileName));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"POST /jobs answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    public static async Task<JsonObject> GetJobAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /jobs/{id} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task<JsonObject> WaitUntilFinishedAsync(HttpClient client, Guid id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var job = await GetJobAsync(client, id);
            var status = job["status"]!.GetValue<string>();
            if (status is "succeeded" or "failed")
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job {id} still {status}: {job.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Reads the row straight from the SQLite file, not through the host's services: a test that stops the host can
    /// still look at what it left behind after the host disposed its container.
    /// </summary>
    public async Task<Job> ReadJobRowAsync(Guid id)
    {
        var options = new DbContextOptionsBuilder<SqliteJobsDbContext>()
            .UseSqlite($"Data Source={Path.Combine(DataDirectory, "jobs.db")};Pooling=False").Options;
        await using var db = new SqliteJobsDbContext(options);
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    public async Task<bool> IsReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        return response.IsSuccessStatusCode;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the folder is in the temp directory anyway.
        }
    }
}
