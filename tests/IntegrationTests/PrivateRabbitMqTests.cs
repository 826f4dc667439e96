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
        PrivateServers.OpenToServerUsers(folder.Root);
        var rabbitMq = new PrivateRabbitMq(Path.Combine(folder.Root, "rabbitmq"));
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
