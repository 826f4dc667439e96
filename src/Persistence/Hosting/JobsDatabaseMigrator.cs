using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Hosting;

/// <summary>
/// Applies pending migrations when the host starts, before the bus and the web server (it is registered first).
/// EF Core 9+ takes a migration lock, so several workers starting together are safe.
/// </summary>
public sealed class JobsDatabaseMigrator(IServiceScopeFactory scopes, ILogger<JobsDatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the Api read job status while the consumer writes results.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        logger.LogInformation("Jobs database is migrated ({Provider})", db.Database.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
