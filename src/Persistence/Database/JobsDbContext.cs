using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Results;
using SpeechEmotion.Persistence.Webhooks;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Persistence.Database;

/// <summary>
/// The jobs database. The model is shared; each provider has its own subclass
/// (<see cref="SqliteJobsDbContext"/>, <see cref="PostgresJobsDbContext"/>) only so that each keeps its own
/// migrations (Migrations/Sqlite, Migrations/Postgres). Code everywhere else asks for <see cref="JobsDbContext"/>.
/// Tenancy: every <see cref="ITenantOwned"/> entity is filtered by the scope's <see cref="CurrentTenant"/> and
/// stamped with it when added (see <see cref="ITenantOwned"/>); a context without one acts for all tenants.
/// </summary>
public abstract class JobsDbContext(DbContextOptions options, CurrentTenant? currentTenant = null) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Recording> Recordings => Set<Recording>();
    public DbSet<RecordingAudio> RecordingAudio => Set<RecordingAudio>();
    public DbSet<JobResult> JobResults => Set<JobResult>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<Batch> Batches => Set<Batch>();
    public DbSet<BatchMember> BatchMembers => Set<BatchMember>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    // Read by the global query filters on every query (EF Core parameterises members of the context), so a
    // restriction made after the context was created still applies.
    private bool ActsForAllTenants => currentTenant?.IsRestricted != true;
    private Guid RestrictedTenantId => currentTenant?.Id ?? Tenant.Nobody;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.ToTable("tenants");
            tenant.HasKey(t => t.Id);
            tenant.Property(t => t.Name).HasMaxLength(Tenant.MaxNameLength);
            tenant.HasIndex(t => t.Name).IsUnique();
            tenant.HasData(new Tenant { Id = Tenant.DefaultId, Name = Tenant.DefaultName, CreatedAt = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc) });
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.Prefix).HasMaxLength(ApiKeySecret.PrefixLength);
            key.HasIndex(k => k.Hash).IsUnique();
            key.HasOne(k => k.Tenant).WithMany().HasForeignKey(k => k.TenantId);
            key.Ignore(k => k.IsRevoked);
        });

        modelBuilder.Entity<Job>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.CallbackUrl).HasMaxLength(2048);
            job.Property(j => j.WorkerName).HasMaxLength(255);
            job.Property(j => j.ChannelHandling).HasConversion<string>().HasMaxLength(8);
            job.Property(j => j.ChannelNames).HasConversion(
                names => string.Join('\n', names),
                joined => joined.Length == 0 ? new List<string>() : joined.Split('\n', StringSplitOptions.None).ToList(),
                new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), names => names.Aggregate(0, (h, n) => HashCode.Combine(h, n)), names => names.ToList()))
                .HasMaxLength(1024);
            job.Property(j => j.ErrorCode).HasMaxLength(64);
            job.HasOne(j => j.Recording).WithMany().HasForeignKey(j => j.RecordingId).OnDelete(DeleteBehavior.Restrict);
            job.Ignore(j => j.IsFinished);
            job.Ignore(j => j.Request);
            // The recovery sweep looks for stuck jobs by status and time.
            job.HasIndex(j => new { j.Status, j.LastPublishedAt });
            job.HasIndex(j => new { j.Status, j.LeaseExpiresAt });
            // ... and for finished jobs whose JobFinished was never confirmed published.
            job.HasIndex(j => new { j.FinishedPublishedAt, j.CompletedAt });
            // Rows stored before tenants existed belong to the default tenant (Open mode's).
            job.Property(j => j.TenantId).HasDefaultValue(Tenant.DefaultId).ValueGeneratedNever();
            job.HasOne<Tenant>().WithMany().HasForeignKey(j => j.TenantId).OnDelete(DeleteBehavior.Restrict);
            job.HasIndex(j => new { j.TenantId, j.CreatedAt });
        });

        modelBuilder.Entity<Recording>(recording =>
        {
            recording.ToTable("recordings");
            recording.HasKey(r => r.Id);
            recording.Property(r => r.FileName).HasMaxLength(255);
            recording.Property(r => r.ContentType).HasMaxLength(255);
            recording.Property(r => r.Sha256).HasMaxLength(64);
            recording.Ignore(r => r.HasAudio);
            // The retention sweep looks for audio past its age.
            recording.HasIndex(r => new { r.AudioDeletedAt, r.CreatedAt });
        });

        modelBuilder.Entity<RecordingAudio>(audio =>
        {
            audio.ToTable("recording_audio");
            audio.HasKey(a => a.RecordingId);
        });

        modelBuilder.Entity<JobResult>(result =>
        {
            result.ToTable("job_results");
            result.HasKey(r => r.Id);
            result.Property(r => r.ModelVersion).HasMaxLength(128);
            result.HasOne<Job>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
            result.HasIndex(r => new { r.JobId, r.CreatedAt });
        });

        modelBuilder.Entity<Batch>(batch =>
        {
            batch.ToTable("batches");
            batch.HasKey(b => b.Id);
            batch.Property(b => b.Kind).HasConversion<string>().HasMaxLength(16);
            batch.Property(b => b.Status).HasConversion<string>().HasMaxLength(16);
            batch.Property(b => b.Source).HasMaxLength(4096);
            batch.Property(b => b.TenantId).HasDefaultValue(Tenant.DefaultId).ValueGeneratedNever();
            batch.HasIndex(b => b.TenantId);
            // The recovery sweep looks for unsealed batches whose intake went quiet.
            batch.HasIndex(b => new { b.Sealed, b.LastMemberAddedAt });
        });

        modelBuilder.Entity<BatchMember>(member =>
        {
            member.ToTable("batch_members");
            // The key serves "the jobs of a batch" (counts, paging by job id); the index "the batches of a job".
            member.HasKey(m => new { m.BatchId, m.JobId });
            member.HasIndex(m => m.JobId);
            member.HasOne<Batch>().WithMany().HasForeignKey(m => m.BatchId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne<Job>().WithMany().HasForeignKey(m => m.JobId).OnDelete(DeleteBehavior.Cascade);
        });

        ConfigureWebhooks(modelBuilder);
        FilterTenantOwnedEntities(modelBuilder);
    }

    private static void ConfigureWebhooks(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebhookSubscription>(subscription =>
        {
            subscription.ToTable("webhook_subscriptions");
            subscription.HasKey(s => s.Id);
            subscription.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            subscription.Property(s => s.Url).HasMaxLength(2048);
            subscription.Property(s => s.Events).HasConversion(
                events => string.Join(',', events),
                joined => joined.Length == 0 ? new List<string>() : joined.Split(',', StringSplitOptions.None).ToList(),
                new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), events => events.Aggregate(0, (h, e) => HashCode.Combine(h, e)), events => events.ToList()))
                .HasMaxLength(256);
            subscription.Property(s => s.Secret).HasMaxLength(128);
            subscription.Property(s => s.PreviousSecret).HasMaxLength(128);
            subscription.Property(s => s.DisabledReason).HasMaxLength(256);
            subscription.Ignore(s => s.IsActive);
            subscription.Property(s => s.TenantId).HasDefaultValue(Tenant.DefaultId).ValueGeneratedNever();
            subscription.HasIndex(s => s.TenantId);
            // One callbacks secret per tenant: two of its jobs ending at once cannot both make a row.
            subscription.HasIndex(s => s.TenantId, "IX_webhook_subscriptions_callbacks_per_tenant").IsUnique()
                .HasFilter($"\"Kind\" = '{nameof(WebhookSubscriptionKind.JobCallbacks)}'");
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.EventType).HasMaxLength(32);
            delivery.Property(d => d.EventKey).HasMaxLength(128);
            delivery.Property(d => d.Url).HasMaxLength(2048);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId);
            delivery.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            // A duplicate event (JobFinished is delivered at least once) must not add a second delivery.
            delivery.HasIndex(d => new { d.SubscriptionId, d.EventKey }).IsUnique();
            // The dispatcher looks for due deliveries; GET /jobs/{id}/deliveries by job.
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.HasIndex(d => d.JobId);
        });

        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("webhook_attempts");
            attempt.HasKey(a => a.Id);
            attempt.Property(a => a.Error).HasMaxLength(512);
            attempt.Property(a => a.ResponsePrefix).HasMaxLength(512);
        });
    }

    /// <summary>One query filter per <see cref="ITenantOwned"/> entity: its rows of the current tenant only.</summary>
    private void FilterTenantOwnedEntities(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)).ToList())
        {
            typeof(JobsDbContext).GetMethod(nameof(FilterByTenant), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(entity.ClrType)
                .Invoke(this, [modelBuilder]);
        }
    }

    private void FilterByTenant<TEntity>(ModelBuilder modelBuilder) where TEntity : class, ITenantOwned =>
        modelBuilder.Entity<TEntity>().HasQueryFilter(row => ActsForAllTenants || row.TenantId == RestrictedTenantId);

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>New rows get the scope's tenant; a row of another tenant, or of none, is a bug and is refused.</summary>
    private void StampTenant()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>().Where(e => e.State is EntityState.Added or EntityState.Modified))
        {
            if (currentTenant?.Id is { } tenantId)
            {
                if (entry.State == EntityState.Added && entry.Entity.TenantId == Guid.Empty)
                {
                    entry.Entity.TenantId = tenantId;
                }
                if (entry.Entity.TenantId != tenantId)
                {
                    throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} of another tenant cannot be saved in this tenant's scope.");
                }
            }
            if (entry.Entity.TenantId == Guid.Empty)
            {
                throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} needs its TenantId (the scope acts for all tenants, so none could be stamped).");
            }
        }
    }
}
