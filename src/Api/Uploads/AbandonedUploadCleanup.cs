using Microsoft.Extensions.Options;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// An upload streams into a temporary file that is deleted when the request ends; a killed Api (kill -9, OOM) never
/// gets there. At start-up this deletes every such file that no live process holds: each live upload keeps its file
/// open with an exclusive lock, so an Api sharing the folder never loses one in flight.
/// </summary>
public sealed class AbandonedUploadCleanup(IOptions<UploadOptions> options, ILogger<AbandonedUploadCleanup> logger) : IHostedService
{
    public const string Suffix = ".upload";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = options.Value.EffectiveTemporaryDirectory;
        var deleted = Directory.EnumerateFiles(folder, "*" + Suffix).Count(TryDeleteAbandoned);
        if (deleted > 0)
        {
            logger.LogWarning("Deleted {Count} abandoned upload files from {Folder}", deleted, folder);
        }
        return Task.CompletedTask;
    }

    private static bool TryDeleteAbandoned(string path)
    {
        try
        {
            // Opening it exclusively succeeds only when nobody holds it; DeleteOnClose then removes it.
            using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (IOException)
        {
            return false;   // a live upload of another Api process, or already gone
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
