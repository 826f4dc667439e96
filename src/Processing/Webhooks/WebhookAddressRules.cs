using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace SpeechEmotion.Processing.Webhooks;

/// <summary>What a submitted receiver URL is, once checked.</summary>
public enum WebhookUrlCheck
{
    Valid,
    /// <summary>Not an absolute http(s) URL of at most <see cref="WebhookAddressRules.MaxUrlLength"/> characters.</summary>
    Invalid,
    /// <summary>Its host is a literal loopback, private, link-local or multicast address (or <c>localhost</c>).</summary>
    NotAllowed,
}

/// <summary>
/// The SSRF guard. Receivers are chosen by clients, so without it a client could make the service call its own
/// network (a database's HTTP port, a cloud metadata address). Two checks: at submission the URL's literal host
/// (<see cref="Check"/>); at delivery the address actually connected to (<see cref="ConnectAsync"/>), which also
/// catches names that resolve to such an address, whatever DNS answered meanwhile. Redirects are never followed.
/// <c>Webhooks:AllowPrivateNetworks</c> lifts both.
/// </summary>
public static class WebhookAddressRules
{
    public const int MaxUrlLength = 2048;

    public static WebhookUrlCheck Check(string? url, bool allowPrivateNetworks)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || url.Any(char.IsControl)
            || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return WebhookUrlCheck.Invalid;
        }
        if (allowPrivateNetworks)
        {
            return WebhookUrlCheck.Valid;
        }
        var host = uri.IdnHost.TrimEnd('.');   // "localhost." is localhost too
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookUrlCheck.NotAllowed;
        }
        var literal = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.DnsSafeHost, out var address)
            ? address
            : null;
        return literal is not null && IsPrivate(literal) ? WebhookUrlCheck.NotAllowed : WebhookUrlCheck.Valid;
    }

    /// <summary>Loopback, private (RFC 1918, unique-local, shared CGNAT), link-local, multicast, unspecified or reserved.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0                                   // "this network", 0.0.0.0
                || b[0] == 10                                  // private
                || (b[0] == 100 && b[1] is >= 64 and < 128)    // shared address space (CGNAT)
                || (b[0] == 169 && b[1] == 254)                // link-local (cloud metadata 169.254.169.254)
                || (b[0] == 172 && b[1] is >= 16 and < 32)     // private
                || (b[0] == 192 && b[1] == 168)                // private
                || b[0] >= 224;                                // multicast, reserved, broadcast
        }
        return address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
    }

    /// <summary>
    /// SocketsHttpHandler.ConnectCallback: connects as the default handler would (every address the name resolves to,
    /// in turn) and then refuses the connection when the peer it reached is a private address.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            var peer = ((IPEndPoint)socket.RemoteEndPoint!).Address;
            if (!allowPrivateNetworks && IsPrivate(peer))
            {
                throw new WebhookAddressNotAllowedException();
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The receiver's name led to a private address (refused at delivery; the attempt fails and is retried).</summary>
public sealed class WebhookAddressNotAllowedException()
    : Exception("The receiver's host resolved to a loopback, private, link-local or multicast address, which webhooks may not call.");
