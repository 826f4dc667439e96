using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Persistence.Database;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Persistence.Recordings;
using SpeechEmotion.Persistence.Tenancy;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>Puts a job row (and its recording) straight into the database, in whatever state a test needs, without publishing it.</summary>
public static class JobSeeds
{
    public static async Task<Guid> SeedAsync(this EmbeddedApi api, Action<Job> shape)
    {
        var audio = GeneratedAudio.Tone(1);
        var id = Guid.CreateVersion7();
        var now = DateTime.UtcNow;
        var job = new Job
        {
            Id = id,
            TenantId = Tenant.DefaultId,   // Open mode's tenant: the one the tests' clients are
            Status = JobStatus.Queued,
            CreatedAt = now,
            LastPublishedAt = now,
            FileName = "seeded.wav",
            ContentType = "audio/wav",
            SizeBytes = audio.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(audio)),
        };
        shape(job);

        await using var scope = api.Services.CreateAsyncScope();
        var recordings = scope.ServiceProvider.GetRequiredService<RecordingStore>();
        await recordings.SaveAsync(id, new MemoryStream(audio),
            new RecordingDescription(job.FileName, job.ContentType, job.SizeBytes, job.Sha256), CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return id;
    }
}
