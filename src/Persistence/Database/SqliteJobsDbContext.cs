using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Database;

/// <summary>Embedded mode: a SQLite file under the data directory.</summary>
public sealed class SqliteJobsDbContext(DbContextOptions<SqliteJobsDbContext> options, CurrentTenant? currentTenant = null)
    : JobsDbContext(options, currentTenant)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite stores DateTime as text and gives it back as Kind=Unspecified; every time here is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        toProvider => toProvider,
        fromProvider => DateTime.SpecifyKind(fromProvider, DateTimeKind.Utc));
}
