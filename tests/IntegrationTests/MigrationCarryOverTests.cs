using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SpeechEmotion.IntegrationTests.Infrastructure;
using SpeechEmotion.Persistence.Database;

namespace SpeechEmotion.IntegrationTests;

/// <summary>
/// A PostgreSQL database made by the schema before recordings and results were split (migration CallResults): a
/// finished job with its result and audio, a queued job, and audio without a job; migrated to the current schema.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class MigrationCarryOverTests(TestServers servers)
{
    private const string BeforeSplit = "20261130193128_CallResults";
    private static readonly Guid Finished = Guid.Parse("0a1b2c3d-0000-0000-0000-000000000001");
    private static readonly Guid Queued = Guid.Parse("0a1b2c3d-0000-0000-0000-000000000002");
    private static readonly Guid Orphan = Guid.Parse("0a1b2c3d-0000-0000-0000-0000000000ff");
    private const string OldResultJson =
        """{"emotion":"sad","probabilities":{},"modelVersion":"cnn-old","audio":{"durationSeconds":1,"sampleRate":16000,"channels":1},"channels":[]}""";

    [Fact]
    public async Task Jobs_audio_and_results_of_the_old_schema_are_carried_over()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers.PostgresConnectionString, servers.RabbitMqUri, servers.RabbitMqManagementUri);
        await using (var db = Open(sandbox))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeSplit);
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO jobs ("Id","Status","CreatedAt","CompletedAt","FileName","ContentType","SizeBytes","Sha256","Attempts","LastPublishedAt","ChannelHandling","ChannelNames","ResultJson")
                VALUES ('0a1b2c3d-0000-0000-0000-000000000001','Succeeded','2026-11-30 10:00:00Z','2026-11-30 10:00:01Z','a.wav','audio/wav',2,'abc',1,'2026-11-30 10:00:00Z','Mix','',{0}),
                       ('0a1b2c3d-0000-0000-0000-000000000002','Queued','2026-11-30 10:00:00Z',NULL,'b.wav','audio/ogg',1,'def',0,'2026-11-30 10:00:00Z','Mix','',NULL);
                INSERT INTO recordings ("JobId","Content","Sha256","SizeBytes","FileName","ContentType","CreatedAt")
                VALUES ('0a1b2c3d-0000-0000-0000-000000000001','\x0102','abc',2,'a.wav','audio/wav','2026-11-30 10:00:00Z'),
                       ('0a1b2c3d-0000-0000-0000-000000000002','\x03','def',1,'b.wav','audio/ogg','2026-11-30 10:00:00Z'),
                       ('0a1b2c3d-0000-0000-0000-0000000000ff','\x04','x',1,'lost.wav','audio/wav','2026-11-30 10:00:00Z');
                """, OldResultJson);
            await db.Database.MigrateAsync();
        }

        await using var migrated = Open(sandbox);
        var jobs = await migrated.Jobs.Include(j => j.Recording).OrderBy(j => j.Id).ToListAsync();
        Assert.Equal([Finished, Queued], jobs.Select(j => j.Id));
        Assert.All(jobs, job => Assert.Equal(job.Id, job.RecordingId));
        Assert.Equal(("a.wav", "audio/wav", 2L, "abc"), (jobs[0].Recording!.FileName, jobs[0].Recording!.ContentType, jobs[0].Recording!.SizeBytes, jobs[0].Recording!.Sha256));
        Assert.Equal(("b.wav", "audio/ogg", 1L, "def"), (jobs[1].Recording!.FileName, jobs[1].Recording!.ContentType, jobs[1].Recording!.SizeBytes, jobs[1].Recording!.Sha256));
        Assert.Equal([Finished, Queued], await migrated.Recordings.OrderBy(r => r.Id).Select(r => r.Id).ToListAsync());   // the orphan's facts went
        var audio = await migrated.RecordingAudio.OrderBy(a => a.RecordingId).ToDictionaryAsync(a => a.RecordingId, a => a.Content);
        Assert.Equal(new byte[] { 1, 2 }, audio[Finished]);
        Assert.Equal(new byte[] { 3 }, audio[Queued]);
        Assert.True(audio.ContainsKey(Orphan), "audio without a job stays for the orphan sweep");
        var result = Assert.Single(await migrated.JobResults.ToListAsync());
        Assert.Equal((Finished, "cnn-old"), (result.JobId, result.ModelVersion));
        Assert.Contains("\"sad\"", result.ResultJson);
        Assert.NotNull(jobs[0].FinishedPublishedAt);
        Assert.Null(jobs[1].FinishedPublishedAt);
    }

    private static PostgresJobsDbContext Open(Sandbox sandbox) =>
        new(new DbContextOptionsBuilder<PostgresJobsDbContext>().UseNpgsql(sandbox.JobsConnectionString).Options);
}
