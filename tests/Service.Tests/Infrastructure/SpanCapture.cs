using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// Every span the host's own OpenTelemetry tracer provider finishes, so a test sees exactly what an exporter would:
/// a source left out of the wiring is missing here too. (A test's own ActivityListener would see spans whatever
/// the wiring.) The tracer provider listens process-wide, so filter by job id.
/// </summary>
public sealed class SpanCapture : BaseProcessor<Activity>
{
    private readonly List<Activity> finished = [];

    /// <summary>Adds this capture to the host's tracer provider; pass to <see cref="EmbeddedApi.With"/>.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(this));

    public override void OnEnd(Activity data)
    {
        lock (finished)
        {
            finished.Add(data);
        }
    }

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (finished)
        {
            return finished.ToList();
        }
    }

    public async Task<IReadOnlyList<Activity>> WaitForAsync(Func<IReadOnlyList<Activity>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!done(Snapshot()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return Snapshot();
    }
}
