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
        await WaitForStatus(api, id, JobStatus.Processing);

        api.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var row = await WaitForStatus(api, id, JobStatus.Queued);

        Assert.Null(row.ClaimToken);
        Assert.Null(row.LeaseExpiresAt);
        Assert.Equal(1, row.Attempts);
    }

    private static async Task<Job> WaitForStatus(EmbeddedApi api, Guid id, JobStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var row = await api.ReadJobRowAsync(id);
            if (row.Status == status)
            {
                return row;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job {id} is {row.Status}, expected {status}");
            await Task.Delay(20);
        }
    }
}
