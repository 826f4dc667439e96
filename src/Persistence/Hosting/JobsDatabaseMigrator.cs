using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Persistence.Hosting;

/// <summary>
/// Applies pending migrations when the host starts, before the bus and the web server (it is registered first).
/// EF Core 9+ takes a migration lock, so several workers starting together are safe once the database exists;
/// creating it is not locked (two processes may race on CREATE DATABASE), and the server may still be starting,
/// so failures are retried for a while before the host gives up.
/// </summary>
public sealed class JobsDatabaseMigrator(IServiceScopeFactory scopes, ILogger<JobsDatabaseMigrator> logger) : IHostedService
{
    private const int MaxTries = 10;
    private static readonly TimeSpan PauseBetweenTries = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (attempt < MaxTries && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Migrating the jobs database failed (try {Attempt} of {MaxTries}); retrying", attempt, MaxTries);
                await Task.Delay(PauseBetweenTries, cancellationToken);
            }
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = QuietMigrationContext(scope.ServiceProvider);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the Api read job status while the consumer writes results.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        logger.LogInformation("Jobs database is migrated ({Provider})", db.Database.ProviderName);
    }

    /// <summary>
    /// The registered context, except that two EF events are logged at Debug instead of Error. On a fresh database
    /// EF Core 9+ probes by failing: it connects to a database that may not exist yet, and reads __EFMigrationsHistory
    /// before creating it (dotnet/efcore#37328). Both failures are expected and handled inside MigrateAsync, yet would
    /// print an error on every first start. A failure that matters still surfaces as the exception MigrateAsync
    /// throws, which StartAsync logs and retries. The application's own contexts keep logging these as errors.
    /// </summary>
    private static JobsDbContext QuietMigrationContext(IServiceProvider services)
    {
        var registered = services.GetRequiredService<DbContextOptions>();
        var options = new DbContextOptionsBuilder(registered)
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug)))
            .Options;
        // The options are DbContextOptions<SqliteJobsDbContext> or <PostgresJobsDbContext>: what the constructor takes.
        return (JobsDbContext)ActivatorUtilities.CreateInstance(services, registered.ContextType, options);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
