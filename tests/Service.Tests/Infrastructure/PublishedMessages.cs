using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// Records every <typeparamref name="T"/> published on a running embedded Api's bus, through a temporary receive
/// endpoint connected at run time (MassTransit's test harness is not available here).
/// </summary>
public sealed class PublishedMessages<T> : IAsyncDisposable where T : class
{
    private readonly ConcurrentQueue<T> _received = new();
    private HostReceiveEndpointHandle? _handle;

    public IReadOnlyCollection<T> Received => _received;

    public static async Task<PublishedMessages<T>> ListenAsync(IServiceProvider services)
    {
        var listener = new PublishedMessages<T>();
        var bus = services.GetRequiredService<IBus>();
        listener._handle = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(), KebabCaseEndpointNameFormatter.Instance,
            endpoint => endpoint.Handler<T>(context =>
            {
                listener._received.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        await listener._handle.Ready;
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        if (_handle is not null)
        {
            await _handle.StopAsync();
        }
    }
}
