using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Processing.Hosting;

namespace SpeechEmotion.Processing.Retention;

/// <summary>Runs <see cref="AudioRetention"/> every Retention:SweepInterval while Retention:AudioDays is set.</summary>
public sealed class AudioRetentionSweep(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IOptions<RetentionOptions> options,
    ILogger<AudioRetentionSweep> logger) : PeriodicSweep(scopes, lifetime, logger)
{
    // AudioDays unset: audio is kept until its job is deleted, and the sweep never runs.
    protected override TimeSpan? Interval => options.Value.AudioDays is null ? null : options.Value.SweepInterval;

    protected override string Name => "Audio retention sweep";

    protected override Task SweepOnceAsync(IServiceProvider services, CancellationToken stoppingToken) =>
        services.GetRequiredService<AudioRetention>().SweepOnceAsync(stoppingToken);
}
