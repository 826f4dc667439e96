using Microsoft.Data.Sqlite;
using SpeechEmotion.Persistence.Hosting;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>
/// The real Api process killed (SIGKILL) while an upload is half received: the crash leaves the temporary file behind
/// and nothing else; the next start deletes that file, stores no recording without a job, and serves as before.
/// </summary>
public sealed class ApiKilledMidUploadTests : IDisposable
{
    private const string Boundary = "killed-boundary";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly TempFolder _dataDirectory = new("speech-emotion-killed-");
    private readonly TempFolder _spool = new("speech-emotion-killed-spool-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dataDirectory.Dispose();
        _spool.Dispose();
    }

    [Fact]
    public async Task Api_killed_mid_upload_leaves_no_temporary_file_and_no_recording_after_its_restart()
    {
        var port = ServiceProcess.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");

        RawHttpConnection connection;   // closed only after the kill: closing it first would let the Api clean up normally
        await using (var first = await StartApiAsync(port))
        {
            connection = await RawHttpConnection.OpenAsync(address);
            await connection.WriteAsync($"POST /jobs HTTP/1.1\r\nHost: {address.Authority}\r\n" +
                $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: 2000000\r\n\r\n" +
                $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"call.wav\"\r\n\r\n");
            await connection.WriteAsync(GeneratedAudio.Tone(10)[..100_000]);
            await WaitForSpooledBytes();
        }   // SIGKILL while the body is half sent
        connection.Dispose();

        var left = Assert.Single(Directory.GetFiles(_spool.Root));   // what the crash left: the test really killed mid-upload
        Assert.Empty(StoredRecordings());
        Assert.Equal((0, 0), await CountRowsAsync());

        await using var second = await StartApiAsync(port);
        Assert.False(File.Exists(left), "the killed upload's temporary file must be deleted at start-up");
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.PostAsync("/jobs", EmbeddedApi.Upload(GeneratedAudio.Tone(2)));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
        await EmbeddedApi.WaitUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));
        Assert.Equal((1, 1), await CountRowsAsync());   // the new job and its recording, nothing of the killed one
        Assert.Single(StoredRecordings());
    }

    private async Task<ServiceProcess> StartApiAsync(int port)
    {
        var environment = new Dictionary<string, string>
        {
            ["SpeechEmotion__Mode"] = "Embedded",
            ["Storage__DataDirectory"] = _dataDirectory.Root,
            ["Uploads__TemporaryDirectory"] = _spool.Root,
        };
        var api = ServiceProcess.Start(ServiceProcess.ApiAssemblyPath, environment, $"--Urls=http://127.0.0.1:{port}");
        await api.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/health/ready", StartTimeout);
        return api;
    }

    private async Task WaitForSpooledBytes()
    {
        for (var waited = 0; !Directory.GetFiles(_spool.Root).Any(f => new FileInfo(f).Length > 0); waited += 20)
        {
            Assert.True(waited < 10_000, "the upload never reached its temporary file");
            await Task.Delay(20);
        }
    }

    private string[] StoredRecordings()
    {
        var folder = Path.Combine(_dataDirectory.Root, "recordings");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>Job and recording rows, read from the SQLite file itself (the process may be dead).</summary>
    private async Task<(long Jobs, long Recordings)> CountRowsAsync()
    {
        var path = Path.Combine(_dataDirectory.Root, StorageServiceCollectionExtensions.EmbeddedDatabaseFileName);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        return (await CountAsync(connection, "jobs"), await CountAsync(connection, "recordings"));
    }

    private static async Task<long> CountAsync(SqliteConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
