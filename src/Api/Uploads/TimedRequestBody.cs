using SpeechEmotion.Api.Problems;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Api.Uploads;

/// <summary>
/// The request body read under the upload's own clock: every read must bring bytes within
/// <see cref="UploadOptions.BodyIdleTimeout"/>, and the whole body must arrive within
/// <see cref="UploadOptions.MaxUploadDuration"/>. Either limit ends the upload with 408 upload_timeout, so a client
/// that stops sending cannot hold a connection and a temporary file for minutes.
/// </summary>
internal sealed class TimedRequestBody(Stream body, UploadOptions options) : Stream
{
    private readonly CancellationTokenSource _uploadDeadline = new(options.MaxUploadDuration);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var readDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _uploadDeadline.Token);
        readDeadline.CancelAfter(options.BodyIdleTimeout);
        try
        {
            return await body.ReadAsync(buffer, readDeadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ReadFailed = true;
            throw new ApiProblemException(StatusCodes.Status408RequestTimeout, ErrorCodes.UploadTimeout,
                "The upload stalled or took longer than the service allows.");
        }
        catch
        {
            ReadFailed = true;
            throw;
        }
    }

    /// <summary>
    /// A read of the body itself failed (the client went away or broke the HTTP framing, or a limit above ended it):
    /// an error a reader of the bytes throws after that is the request's, not a fault of the bytes it read so far.
    /// </summary>
    public bool ReadFailed { get; private set; }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Request bodies are only ever read asynchronously (Kestrel refuses synchronous IO).
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _uploadDeadline.Dispose();
        }
        base.Dispose(disposing);
    }
}
