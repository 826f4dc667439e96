using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpeechEmotion.Persistence.Jobs;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Service.Tests.Processing;

public sealed class GracefulStopTests
{
    [Fact]
    public async Task Stopping_host_hands_a_job_waiting_in_the_injected_delay_back_to_the_queue()
    {
        using var api = EmbeddedApi.With(new Dictionary<string, string?> { ["Processing:DelayBeforeAnalysis"] = "00:05:00" });
        using var client = api.CreateClient();
        var id = await api.SubmitAsync(client, GeneratedAudio.Tone(1));
        await WaitUntilProcessing(api, id);
        var lifetime = api.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = WhenStopped(lifetime);

        lifetime.StopApplication();
        // The bus waits for consumers in flight before the host reports itself stopped, so the hand-back is
        // written by now: read once, no polling (a job still processing here is the bug this test is for).
        await stopped.WaitAsync(TimeSpan.FromSeconds(60));
        var row = await api.ReadJobRowAsync(id);

        Assert.Equal(JobStatus.Queued, row.Status);
        Assert.Null(row.ClaimToken);
        Assert.Null(row.LeaseExpiresAt);
        Assert.Equal(1, row.Attempts);
    }

    private static Task WhenStopped(IHostApplicationLifetime lifetime)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    private static async Task WaitUntilProcessing(EmbeddedApi api, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await api.ReadJobRowAsync(id)).Status != JobStatus.Processing)
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {id} was not claimed within 20 s");
            await Task.Delay(20);
        }
    }
}
