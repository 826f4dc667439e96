using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.Service.Tests.Storage;

/// <summary>
/// A SQLite database made by the schema before recordings and results were split (migration CallResults), with a
/// finished and a queued job in it, migrated to the current schema: every row comes over.
/// </summary>
public sealed class MigrationCarryOverTests : IDisposable
{
    private const string BeforeSplit = "20261130193116_CallResults";
    private static readonly Guid Finished = Guid.Parse("0a1b2c3d-0000-0000-0000-000000000001");
    private static readonly Guid Queued = Guid.Parse("0a1b2c3d-0000-0000-0000-000000000002");
    private const string OldResultJson =
        """{"emotion":"sad","probabilities":{},"modelVersion":"cnn-old","audio":{"durationSeconds":1,"sampleRate":16000,"channels":1},"channels":[]}""";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"speech-emotion-migration-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Jobs_recordings_and_results_of_the_old_schema_are_carried_over()
    {
        await using (var db = Open())
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeSplit);
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO jobs ("Id","Status","CreatedAt","CompletedAt","FileName","ContentType","SizeBytes","Sha256","Attempts","LastPublishedAt","ChannelHandling","ChannelNames","ResultJson")
                VALUES ('0A1B2C3D-0000-0000-0000-000000000001','Succeeded','2026-11-30 10:00:00','2026-11-30 10:00:01','a.wav','audio/wav',10,'abc',1,'2026-11-30 10:00:00','Mix','',{0}),
                       ('0A1B2C3D-0000-0000-0000-000000000002','Queued','2026-11-30 10:00:00',NULL,'b.wav','audio/ogg',11,'def',0,'2026-11-30 10:00:00','Mix','',NULL)
                """, OldResultJson);
            await db.Database.MigrateAsync();
        }

        await using var migrated = Open();
        var jobs = await migrated.Jobs.Include(j => j.Recording).OrderBy(j => j.Id).ToListAsync();
        Assert.Equal([Finished, Queued], jobs.Select(j => j.Id));
        Assert.All(jobs, job => Assert.Equal(job.Id, job.RecordingId));
        Assert.Equal(("a.wav", "audio/wav", 10L, "abc"), Facts(jobs[0]));
        Assert.Equal(("b.wav", "audio/ogg", 11L, "def"), Facts(jobs[1]));
        var result = Assert.Single(await migrated.JobResults.ToListAsync());
        Assert.Equal(Finished, result.JobId);
        Assert.Equal("cnn-old", result.ModelVersion);
        Assert.Contains("\"sad\"", result.ResultJson);
        Assert.Equal(jobs[0].CompletedAt, result.CreatedAt);
        Assert.NotNull(jobs[0].FinishedPublishedAt);   // announced before JobFinished existed: the sweep leaves it
        Assert.Null(jobs[1].FinishedPublishedAt);
    }

    private static (string, string, long, string) Facts(SpeechEmotion.Persistence.Jobs.Job job) =>
        (job.Recording!.FileName, job.Recording.ContentType, job.Recording.SizeBytes, job.Recording.Sha256);

    private SqliteJobsDbContext Open() =>
        new(new DbContextOptionsBuilder<SqliteJobsDbContext>().UseSqlite($"Data Source={_path};Pooling=False").Options);

    public void Dispose() => File.Delete(_path);
}
