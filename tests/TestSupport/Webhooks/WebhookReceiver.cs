using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SpeechEmotion.TestSupport.Net;

namespace SpeechEmotion.TestSupport.Webhooks;

/// <summary>One request the receiver got, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, IHeaderDictionary Headers, string Body, int AnsweredWith)
{
    public string WebhookId => Headers["webhook-id"].ToString();
}

/// <summary>
/// A loopback HTTP receiver for webhook tests (Kestrel on 127.0.0.1): records every request, answers what
/// <see cref="Answer"/> says, and can go down and come back on the same port (a receiver restarting).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }
    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The status to answer a request with (default 200); it may also wait, to play a slow receiver.</summary>
    public Func<ReceivedWebhook, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver(LoopbackPorts.FreePort());
        await receiver.StartAgainAsync();
        return receiver;
    }

    /// <summary>A receiver that is down (nothing listens on its port) until <see cref="StartAgainAsync"/>.</summary>
    public static WebhookReceiver Down() => new(LoopbackPorts.FreePort());

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            var status = await Answer(new ReceivedWebhook(context.Request.Path, headers, body, 0));
            _received.Enqueue(new ReceivedWebhook(context.Request.Path, headers, body, status));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"receiver answered {status}");
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Goes down: the port refuses connections.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var impatient = new CancellationTokenSource(TimeSpan.FromSeconds(1));   // a hung Answer is not waited for
            await app.StopAsync(impatient.Token);
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits for a request that matches; fails after <paramref name="timeout"/>.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_received.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No matching webhook within {timeout}; received {_received.Count}: " +
                    string.Join("\n", _received.Select(r => $"{r.Path} {r.AnsweredWith} {r.Body}")));
            }
            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
