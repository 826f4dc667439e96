using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Tenancy;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Service.Tests.Security;

/// <summary>The Tenants migration on a database that already holds jobs: they become the default tenant's.</summary>
public sealed class TenantMigrationTests : IDisposable
{
    private const string LastMigrationBeforeTenants = "20261130193116_CallResults";
    private readonly TempFolder _folder = new("speech-emotion-tenant-migration-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Jobs_stored_before_tenants_belong_to_the_default_tenant()
    {
        var options = new DbContextOptionsBuilder<SqliteJobsDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder.Root, "jobs.db")};Pooling=False").Options;
        var jobId = Guid.NewGuid();
        await using (var before = new SqliteJobsDbContext(options))
        {
            await before.GetService<IMigrator>().MigrateAsync(LastMigrationBeforeTenants);
            await before.Database.ExecuteSqlAsync($"""
                INSERT INTO jobs ("Id", "Status", "CreatedAt", "FileName", "ContentType", "SizeBytes", "Sha256", "Attempts",
                                  "LastPublishedAt", "ChannelHandling", "ChannelNames")
                VALUES ({jobId}, 'Queued', '2026-11-01 10:00:00', 'old.wav', 'audio/wav', 10, 'abc', 0, '2026-11-01 10:00:00', 'Mix', '')
                """);
        }

        await using var after = new SqliteJobsDbContext(options);
        await after.Database.MigrateAsync();

        var job = await after.Jobs.SingleAsync(j => j.Id == jobId);
        Assert.Equal(Tenant.DefaultId, job.TenantId);
        Assert.Equal(Tenant.DefaultName, (await after.Tenants.SingleAsync(t => t.Id == job.TenantId)).Name);
    }
}
