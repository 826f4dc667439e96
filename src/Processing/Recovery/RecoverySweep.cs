using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpeechEmotion.Processing.Hosting;
using SpeechEmotion.Processing.Options;

namespace SpeechEmotion.Processing.Recovery;

/// <summary>Runs <see cref="StuckJobRecovery"/> every Processing:SweepInterval for as long as the host lives.</summary>
public sealed class RecoverySweep(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IOptions<ProcessingOptions> options,
    ILogger<RecoverySweep> logger) : PeriodicSweep(scopes, lifetime, logger)
{
    protected override TimeSpan? Interval => options.Value.SweepInterval;

    protected override string Name => "Recovery sweep";

    protected override Task SweepOnceAsync(IServiceProvider services, CancellationToken stoppingToken) =>
        services.GetRequiredService<StuckJobRecovery>().SweepOnceAsync(stoppingToken);
}
