using System.Net.Sockets;
using System.Text;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>The status, head and (de-chunked) body of an answer read off a raw socket; Status 0 when none came.</summary>
public sealed record RawHttpAnswer(int Status, string Head, string Body)
{
    public string? ContentType => Head.Split("\r\n")
        .FirstOrDefault(line => line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim();
}

/// <summary>
/// HTTP/1.1 by hand over a socket to a real Kestrel (EmbeddedApi with UseKestrel), for what HttpClient cannot do:
/// stall half-way through a body, send a malformed one, or keep sending after the server answered (HttpClient
/// reports the server's early close as a broken pipe instead of returning the answer it already sent).
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawHttpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        return new RawHttpConnection(tcp);
    }

    public Task WriteAsync(string ascii, CancellationToken cancellationToken = default) =>
        WriteAsync(Encoding.ASCII.GetBytes(ascii), cancellationToken);

    public async Task WriteAsync(byte[] data, CancellationToken cancellationToken = default) =>
        await _stream.WriteAsync(data, cancellationToken);

    /// <summary>One chunk of a Transfer-Encoding: chunked body.</summary>
    public async Task WriteChunkAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        await WriteAsync($"{data.Length:X}\r\n", cancellationToken);
        await WriteAsync(data, cancellationToken);
        await WriteAsync("\r\n", cancellationToken);
    }

    /// <summary>Reads until one complete answer arrived, the server closed the connection, or <paramref name="timeout"/> passed.</summary>
    public async Task<RawHttpAnswer> ReadAnswerAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (IsComplete(Encoding.UTF8.GetString(received.ToArray())))
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // Reset by the server after (or instead of) its answer, or no answer in time: parse what there is.
        }
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    private static bool IsComplete(string text)
    {
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return false;
        }
        var head = text[..headEnd];
        var body = text[(headEnd + 4)..];
        var length = head.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is not null
            ? body.Length >= int.Parse(length["Content-Length:".Length..].Trim())
            : body.Contains("\r\n0\r\n\r\n", StringComparison.Ordinal) || body.StartsWith("0\r\n", StringComparison.Ordinal);
    }

    private static RawHttpAnswer Parse(string text)
    {
        var status = text.Length > 12 ? int.Parse(text[9..12]) : 0;
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return new RawHttpAnswer(status, text, "");
        }
        var head = text[..headEnd];
        return new RawHttpAnswer(status, head, Unchunk(text[(headEnd + 4)..], head));
    }

    private static string Unchunk(string body, string head)
    {
        if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }
        var result = new StringBuilder();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }
            var size = Convert.ToInt32(body[position..lineEnd], 16);
            if (size == 0)
            {
                break;
            }
            result.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
        return result.ToString();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
