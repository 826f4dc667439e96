namespace SpeechEmotion.Analysis.Decoding;

/// <summary>Brings the upload into memory once: sniffing, the WAV reader and ffmpeg's stdin all read that one buffer.</summary>
internal static class UploadReader
{
    public static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream upload, CancellationToken cancellationToken)
    {
        // The Api often hands over a MemoryStream already: use its buffer, no copy.
        if (upload is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var start = (int)memory.Position;
            return buffer.AsMemory(start, (int)memory.Length - start);
        }

        var copy = upload.CanSeek ? new MemoryStream(checked((int)(upload.Length - upload.Position))) : new MemoryStream();
        await upload.CopyToAsync(copy, cancellationToken);
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }
}
