using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Results;

namespace SpeechEmotion.Persistence.Database;

/// <summary>
/// The jobs database. The model is shared; each provider has its own subclass
/// (<see cref="SqliteJobsDbContext"/>, <see cref="PostgresJobsDbContext"/>) only so that each keeps its own
/// migrations (Migrations/Sqlite, Migrations/Postgres). Code everywhere else asks for <see cref="JobsDbContext"/>.
/// </summary>
public abstract class JobsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Recording> Recordings => Set<Recording>();
    public DbSet<RecordingAudio> RecordingAudio => Set<RecordingAudio>();
    public DbSet<JobResult> JobResults => Set<JobResult>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
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
    }
}
