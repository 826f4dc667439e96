using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Resilience;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Hosting;

public static class StorageServiceCollectionExtensions
{
    public const string DatabaseHealthCheckName = "database";
    public const string ReadyTag = "ready";

    /// <summary>Embedded mode's SQLite file, in the data directory.</summary>
    public const string EmbeddedDatabaseFileName = "jobs.db";

    /// <summary>
    /// Registers <see cref="JobsDbContext"/>, the <see cref="RecordingStore"/>, start-up migration and the database
    /// health check (tagged <c>ready</c>) for the configured <see cref="ServiceMode"/>.
    /// Call it before the bus is added so migrations run before any message is consumed.
    /// </summary>
    public static IServiceCollection AddJobsStorage(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        if (configuration.ReadServiceMode() == ServiceMode.Distributed)
        {
            var connectionString = configuration.GetConnectionString("Jobs");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Distributed mode needs ConnectionStrings:Jobs (PostgreSQL).");
            }
            services.AddOptions<DatabaseRetryOptions>().BindConfiguration(DatabaseRetryOptions.SectionName).ValidateOnStart();
            // Transient errors (server restarting, connection refused, admin shutdown) are retried by EF Core's
            // retrying execution strategy; a transaction of our own must then run inside strategy.ExecuteAsync.
            services.AddDbContext<JobsDbContext, PostgresJobsDbContext>((provider, options) =>
            {
                var retry = provider.GetRequiredService<IOptions<DatabaseRetryOptions>>().Value;
                options.UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure(retry.MaxRetryCount, retry.MaxRetryDelay, null));
            });
            services.AddScoped<RecordingStore, DatabaseRecordingStore>();
        }
        else
        {
            var dataDirectory = DataDirectoryOf(configuration, contentRootPath);
            var databasePath = Path.Combine(dataDirectory, EmbeddedDatabaseFileName);
            services.AddDbContext<JobsDbContext, SqliteJobsDbContext>(options => options
                .UseSqlite($"Data Source={databasePath}")
                .AddInterceptors(new SqliteConnectionSettings()));
            services.AddSingleton<RecordingStore>(new FolderRecordingStore(Path.Combine(dataDirectory, "recordings")));
        }

        // Whose rows a scope sees: all tenants unless the Api restricts the request's scope (ITenantOwned).
        services.AddScoped<CurrentTenant>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ApiKeyStore>();
        services.AddHostedService<JobsDatabaseMigrator>();
        services.AddHealthChecks().AddDbContextCheck<JobsDbContext>(DatabaseHealthCheckName, tags: [ReadyTag]);
        return services;
    }

    /// <summary>Storage:DataDirectory, relative to the content root; created if missing.</summary>
    public static string DataDirectoryOf(IConfiguration configuration, string contentRootPath)
    {
        var configured = configuration["Storage:DataDirectory"];
        var path = Path.GetFullPath(Path.Combine(contentRootPath, string.IsNullOrWhiteSpace(configured) ? "data" : configured));
        return Directory.CreateDirectory(path).FullName;
    }
}
