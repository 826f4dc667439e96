using System.Net;
using System.Net.Http.Json;
using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Batches;

public sealed class FolderBatchTests : IDisposable
{
    private readonly TempFolder _allowed = new("speech-emotion-allowed-");
    private readonly TempFolder _elsewhere = new("speech-emotion-elsewhere-");

    [Fact]
    public async Task A_folder_under_an_allowed_root_becomes_a_batch_and_anything_else_is_refused()
    {
        var calls = Directory.CreateDirectory(Path.Combine(_allowed.Root, "calls", "monday")).FullName;
        foreach (var (name, content) in BatchArchives.Clips(3))
        {
            await File.WriteAllBytesAsync(Path.Combine(calls, Path.GetFileName(name)), content);
        }
        await File.WriteAllTextAsync(Path.Combine(calls, "index.csv"), "not audio");
        await File.WriteAllBytesAsync(Path.Combine(_elsewhere.Root, "secret.wav"), GeneratedAudio.Tone(1));
        File.CreateSymbolicLink(Path.Combine(calls, "link.wav"), Path.Combine(_elsewhere.Root, "secret.wav"));
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Batches:AllowedFolders:0"] = _allowed.Root });
        using var client = api.CreateClient();

        var created = await BatchArchives.CreateAsync(client, JsonContent.Create(new { folder = Path.Combine(_allowed.Root, "calls") }));
        var batch = await BatchArchives.WaitUntilEndedAsync(client, BatchArchives.IdOf(created), TimeSpan.FromMinutes(1));

        Assert.Equal("folder", batch["kind"]!.GetValue<string>());
        Assert.Equal((4, 3, 1), (BatchArchives.Count(batch, "total"), BatchArchives.Count(batch, "succeeded"), BatchArchives.Count(batch, "failed")));
        var members = (await BatchArchives.AllJobsAsync(client, BatchArchives.IdOf(batch)))
            .Select(job => job["metadata"]!["batchMember"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["monday/clip-000.wav", "monday/clip-001.wav", "monday/clip-002.wav", "monday/index.csv"], members);

        await Refused(client, _elsewhere.Root, HttpStatusCode.Forbidden, "folder_not_allowed");
        await Refused(client, Path.Combine(_allowed.Root, "..", Path.GetFileName(_elsewhere.Root)), HttpStatusCode.Forbidden, "folder_not_allowed");
        await Refused(client, _allowed.Root + "-sibling", HttpStatusCode.Forbidden, "folder_not_allowed");
        await Refused(client, Path.Combine(_allowed.Root, "missing"), HttpStatusCode.BadRequest, "folder_not_found");
        await Refused(client, "relative/path", HttpStatusCode.BadRequest, "invalid_batch_request");
    }

    [Fact]
    public async Task With_no_allowed_folders_every_folder_is_refused()
    {
        using var api = new EmbeddedApi();
        using var client = api.CreateClient();
        await Refused(client, _allowed.Root, HttpStatusCode.Forbidden, "folder_not_allowed");
    }

    private static async Task Refused(HttpClient client, string folder, HttpStatusCode status, string code) =>
        await (await client.PostAsJsonAsync("/batches", new { folder })).AssertProblemAsync(status, code, folder);

    public void Dispose()
    {
        _allowed.Dispose();
        _elsewhere.Dispose();
    }
}
