using System.Net;
using System.Net.Sockets;

namespace SpeechEmotion.TestSupport.Net;

public static class LoopbackPorts
{
    /// <summary>A loopback TCP port nothing listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
