using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.IntegrationTests;

[Collection(ServersCollection.Name)]
public sealed class CompetingWorkersTests(TestServers servers)
{
    private const int JobCount = 50;

    [Fact]
    public async Task Two_worker_processes_share_50_jobs_and_each_job_succeeds_exactly_once()
    {
        await using var system = await DistributedSystem.StartAsync(servers);
        var workerA = system.StartWorker("worker-a");
        var workerB = system.StartWorker("worker-b");
        // Both must be listening before the burst, else the first one up prefetches everything.
        await system.WaitForListeningWorkersAsync(2);

        var ids = new List<Guid>();
        for (var i = 0; i < JobCount; i++)
        {
            ids.Add(await system.SubmitAsync(TestAudio.SpeechLikeWav(seconds: 1.5, seed: i), $"clip-{i}.wav"));
        }
        foreach (var id in ids)
        {
            var job = await system.WaitForFinishedAsync(id, TimeSpan.FromSeconds(180));
            Assert.True(DistributedSystem.StatusOf(job) == "succeeded", $"job {id}: {job.ToJsonString()}{Environment.NewLine}{system.WorkerOutput()}");
        }

        var rows = new List<JobRow>();
        foreach (var id in ids)
        {
            rows.Add(await system.ReadJobRowAsync(id));
        }
        Assert.All(rows, row => Assert.Equal(1, row.Attempts));
        var jobsPerWorker = rows.GroupBy(row => row.WorkerName).ToDictionary(group => group.Key ?? "(none)", group => group.Count());
        var summary = string.Join(", ", jobsPerWorker.Select(p => $"{p.Key}={p.Value}"));
        Assert.True(jobsPerWorker.Keys.Order().SequenceEqual(new[] { workerA.Identity, workerB.Identity }.Order()),
            $"expected jobs from both {workerA.Identity} and {workerB.Identity} and no one else; jobs per worker: {summary}");
    }
}
