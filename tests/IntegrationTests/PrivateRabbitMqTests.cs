using System.Net;
using System.Net.Sockets;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.IntegrationTests;

/// <summary>The outage tests' own RabbitMQ node: a first start that cannot bind its ports is tried once more on fresh ones.</summary>
public sealed class PrivateRabbitMqTests : IDisposable
{
    private readonly TempFolder folder = new("speechemotion-rabbit-");

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_first_start_whose_port_is_taken_is_tried_again_on_fresh_ports()
    {
        var root = folder.Root;
        if (!OperatingSystem.IsWindows())   // the rabbitmq user must walk into this root-owned folder
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var rabbitMq = new PrivateRabbitMq(Path.Combine(root, "rabbitmq"));
        var taken = rabbitMq.DistributionPort;
        using var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();   // the node cannot open its Erlang distribution port, so it dies at boot
        try
        {
            await rabbitMq.StartAsync();

            Assert.NotEqual(taken, rabbitMq.DistributionPort);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, rabbitMq.Port);
        }
        finally
        {
            await rabbitMq.StopAsync();
        }
    }
}
