using SpeechEmotion.Service.Tests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Api;

public sealed class AbandonedUploadTests : IDisposable
{
    private readonly TempFolder _uploads = new("speech-emotion-uploads-");

    public void Dispose() => _uploads.Dispose();

    [Fact]
    public async Task Upload_files_of_a_killed_api_are_deleted_at_start_and_live_ones_are_kept()
    {
        // A killed Api's temporary file: nobody holds it any more.
        var abandoned = Path.Combine(_uploads.Root, $"{Guid.NewGuid():N}.upload");
        await File.WriteAllBytesAsync(abandoned, new byte[4096]);
        // Another Api's upload in flight: held open exclusively, as UploadReader holds it.
        var live = Path.Combine(_uploads.Root, $"{Guid.NewGuid():N}.upload");
        await using var liveUpload = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        var unrelated = Path.Combine(_uploads.Root, "notes.txt");
        await File.WriteAllTextAsync(unrelated, "not ours");

        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Uploads:TemporaryDirectory"] = _uploads.Root });
        using var client = api.CreateClient();
        await api.SubmitAsync(client, GeneratedAudio.Tone(1));

        Assert.False(File.Exists(abandoned), "the abandoned upload file must be deleted at start-up");
        Assert.True(File.Exists(live), "an upload another process holds must never be deleted");
        Assert.True(File.Exists(unrelated));
        // The upload just made streamed through the same folder and was deleted when its request ended.
        Assert.Equal([live, unrelated], Directory.GetFiles(_uploads.Root).Order());
    }
}
