using System.Net;
using System.Net.Http.Headers;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// A request body sent chunked up to <c>cut</c>, then, once <c>breakOffWhen</c> is done, broken off: the client fails
/// the request and drops the connection, as a client that crashes mid-upload does. Send it with a plain
/// <see cref="HttpClient"/>: the test factory's client buffers a body whole (to follow redirects) before sending any.
/// </summary>
public sealed class BrokenOffContent : HttpContent
{
    public const string Reason = "The client went away mid-upload.";

    private readonly byte[] _body;
    private readonly int _cut;
    private readonly Func<Task> _breakOffWhen;

    public BrokenOffContent(byte[] body, int cut, MediaTypeHeaderValue contentType, Func<Task> breakOffWhen)
    {
        (_body, _cut, _breakOffWhen) = (body, cut, breakOffWhen);
        Headers.ContentType = contentType;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_body.AsMemory(0, _cut));
        await stream.FlushAsync();
        await _breakOffWhen();
        throw new IOException(Reason);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;   // chunked, as a streaming client sends it
    }
}
