using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Batches;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>Puts job rows (and their recordings) straight into the database, in whatever state a test needs, without publishing them.</summary>
public static class JobSeeds
{
    public static async Task<Guid> SeedAsync(this EmbeddedApi api, Action<Job> shape) =>
        (await api.SeedManyAsync(1, shape))[0];

    /// <summary>
    /// A running batch still being filled (unsealed), as an Api killed mid-intake leaves it, with the given jobs as its
    /// members and its last member added at <paramref name="lastMemberAddedAt"/>.
    /// </summary>
    public static async Task<Guid> SeedBatchAsync(this EmbeddedApi api, DateTime lastMemberAddedAt, IEnumerable<Guid> memberJobIds)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            TenantId = Tenant.DefaultId,
            Kind = BatchKind.Archive,
            Status = BatchStatus.Running,
            CreatedAt = lastMemberAddedAt.AddMinutes(-1),
            LastMemberAddedAt = lastMemberAddedAt,
            Source = "seeded.zip",
        };
        db.Batches.Add(batch);
        db.BatchMembers.AddRange(memberJobIds.Select(jobId => new BatchMember { BatchId = batch.Id, JobId = jobId }));
        await db.SaveChangesAsync();
        return batch.Id;
    }

    /// <summary>Many at once (one database commit): a backlog of thousands in a few seconds.</summary>
    public static async Task<List<Guid>> SeedManyAsync(this EmbeddedApi api, int count, Action<Job> shape)
    {
        var audio = GeneratedAudio.Tone(1);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(audio));
        var now = DateTime.UtcNow;
        await using var scope = api.Services.CreateAsyncScope();
        var recordings = scope.ServiceProvider.GetRequiredService<RecordingStore>();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var recording = new Recording
            {
                Id = Guid.CreateVersion7(),
                FileName = "seeded.wav",
                ContentType = "audio/wav",
                SizeBytes = audio.Length,
                Sha256 = sha256,
                CreatedAt = now,
            };
            var job = new Job
            {
                Id = Guid.CreateVersion7(),
                TenantId = Tenant.DefaultId,   // Open mode's tenant: the one the tests' clients are
                Status = JobStatus.Queued,
                CreatedAt = now,
                LastPublishedAt = now,
                RecordingId = recording.Id,
            };
            shape(job);
            await recordings.SaveAsync(recording.Id, new MemoryStream(audio), CancellationToken.None);
            db.Recordings.Add(recording);
            db.Jobs.Add(job);
            ids.Add(job.Id);
        }
        await db.SaveChangesAsync();
        return ids;
    }
}
