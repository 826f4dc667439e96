using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.Contracts.Messages;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Processing.Jobs;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

public sealed class ClaimTests(EmbeddedApi api) : IClassFixture<EmbeddedApi>
{
    [Fact]
    public async Task Only_one_token_can_claim_a_job_and_only_the_claimer_writes_its_outcome()
    {
        var id = await api.SeedAsync(job => job.LastPublishedAt = DateTime.UtcNow);   // queued, never published
        await using var scope = api.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<JobLifecycle>();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        var claim = await lifecycle.TryClaimAsync(id, first, CancellationToken.None);
        var rival = await lifecycle.TryClaimAsync(id, second, CancellationToken.None);
        var rivalWrite = await lifecycle.RecordFailureAsync(claim! with { ClaimToken = second }, "too_short", "rival", CancellationToken.None);
        var ownWrite = await lifecycle.RecordSuccessAsync(claim!, Analysis(), CancellationToken.None);
        var lateWrite = await lifecycle.RecordFailureAsync(claim!, "too_short", "late", CancellationToken.None);

        Assert.NotNull(claim);
        Assert.Null(rival);
        Assert.False(rivalWrite);
        Assert.True(ownWrite);
        Assert.False(lateWrite);
        var row = await api.ReadJobRowAsync(id);
        Assert.Equal(JobStatus.Succeeded, row.Status);
        Assert.Equal("sad", Assert.Single(await lifecycle.ListResultsAsync(id, CancellationToken.None)).Result.Emotion);
        Assert.Null(row.ErrorCode);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(WorkerIdentity.Name, row.WorkerName);
    }

    [Fact]
    public async Task A_retry_keeps_its_attempt_and_a_redelivery_counts_a_new_one()
    {
        var id = await api.SeedAsync(_ => { });
        await using var scope = api.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<JobLifecycle>();
        var token = Guid.NewGuid();

        var first = await lifecycle.TryClaimAsync(id, token, CancellationToken.None);
        var retry = await lifecycle.TryReclaimForRetryAsync(id, token, CancellationToken.None);
        var redelivery = await lifecycle.TryClaimAsync(id, token, CancellationToken.None);
        var strangerRetry = await lifecycle.TryReclaimForRetryAsync(id, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(1, first?.Attempts);
        Assert.Equal(1, retry?.Attempts);
        Assert.Equal(2, redelivery?.Attempts);
        Assert.Null(strangerRetry);
    }

    [Fact]
    public async Task No_claim_is_granted_once_the_attempts_are_used()
    {
        var id = await api.SeedAsync(job => job.Attempts = 3);   // MaxAttempts defaults to 3
        await using var scope = api.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<JobLifecycle>();

        Assert.Null(await lifecycle.TryClaimAsync(id, Guid.NewGuid(), CancellationToken.None));
    }

    private static EmotionResult Analysis() => new("sad",
        new Dictionary<string, float> { ["neutral"] = 0.1f, ["happy"] = 0.1f, ["sad"] = 0.4f, ["angry"] = 0.1f, ["fearful"] = 0.1f, ["surprised"] = 0.1f, ["disgust"] = 0.1f },
        "test-model", new AudioFacts(1, 16000, 1), new CallFigures(1, 1, 0, 0, 0), []);
}

/// <summary>
/// One message at a time, so the in-memory queue is consumed in order: once a job published after the duplicate
/// has finished, the duplicate has certainly been consumed.
/// </summary>
public sealed class DuplicateDeliveryTests
{
    [Fact]
    public async Task Second_delivery_of_a_finished_job_is_acknowledged_and_changes_nothing()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:ConcurrentMessageLimit"] = "1" });
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, id);
        var before = await api.ReadJobRowAsync(id);

        var bus = api.Services.GetRequiredService<IBus>();
        await bus.Publish(new AnalyzeRecording { JobId = id });
        await bus.Publish(new AnalyzeRecording { JobId = id });
        var marker = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await EmbeddedApi.WaitUntilFinishedAsync(client, marker);
        var after = await api.ReadJobRowAsync(id);

        Assert.Equal(JobStatus.Succeeded, before.Status);
        Assert.Equal(1, before.Attempts);
        Assert.Equal(before.Attempts, after.Attempts);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.CompletedAt, after.CompletedAt);
        Assert.Equal(before.ClaimToken, after.ClaimToken);
        await using var scope = api.Services.CreateAsyncScope();
        var results = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ListResultsAsync(id, CancellationToken.None);
        Assert.Single(results);   // the duplicates appended no second result
    }
}
