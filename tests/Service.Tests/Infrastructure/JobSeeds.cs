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
        var now = DateTime.UtcNow;
        var recording = new Recording
        {
            Id = Guid.CreateVersion7(),
            FileName = "seeded.wav",
            ContentType = "audio/wav",
            SizeBytes = audio.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(audio)),
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

        await using var scope = api.Services.CreateAsyncScope();
        var recordings = scope.ServiceProvider.GetRequiredService<RecordingStore>();
        await recordings.SaveAsync(recording.Id, new MemoryStream(audio), CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        db.Recordings.Add(recording);
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return job.Id;
    }
}
