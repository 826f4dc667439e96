using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// Resident memory of one worker process over many jobs: a steady climb would be a leak.
/// Reads VmRSS and VmHWM (peak) from /proc, so Linux only. The growth row compares the first checkpoint (heaps and
/// pools have grown to their working size by then) with the last: flat means no leak.
/// </summary>
public static class MemoryBench
{
    public static async Task RunAsync(int jobs, int checkpoints)
    {
        await using var deployment = await DistributedDeployment.StartAsync(workers: 1);
        var worker = deployment.Workers[0];
        var clip = TestAudio.SpeechLikeWav(seconds: 3);
        var rows = new List<(string, string)> { ("RSS after start (MiB)", $"{Rss(worker, "VmRSS"):F0}") };

        const int warmupJobs = 10;
        await SubmitAsync(deployment, clip, warmupJobs);
        await deployment.WaitUntilFinishedAsync(warmupJobs, TimeSpan.FromMinutes(2));
        rows.Add(($"RSS after {warmupJobs} warm-up jobs (MiB)", $"{Rss(worker, "VmRSS"):F0}"));

        var done = 0;
        var firstCheckpoint = (Jobs: 0, Rss: 0.0);
        for (var checkpoint = 1; checkpoint <= checkpoints; checkpoint++)
        {
            var batch = jobs * checkpoint / checkpoints - done;
            await SubmitAsync(deployment, clip, batch);
            done += batch;
            var failed = await deployment.WaitUntilFinishedAsync(warmupJobs + done, TimeSpan.FromMinutes(20));
            var rss = Rss(worker, "VmRSS");
            rows.Add(($"RSS after {done} jobs (MiB)", $"{rss:F0}"));
            if (checkpoint == 1) firstCheckpoint = (done, rss);
            if (checkpoint < checkpoints) continue;
            rows.Add(("failed jobs", $"{failed}"));
            if (done > firstCheckpoint.Jobs)
            {
                rows.Add(($"growth from {firstCheckpoint.Jobs} to {done} jobs (MiB per 1000 jobs)",
                    $"{(rss - firstCheckpoint.Rss) * 1000 / (done - firstCheckpoint.Jobs):F2}"));
            }
        }
        rows.Add(("peak RSS, VmHWM (MiB)", $"{Rss(worker, "VmHWM"):F0}"));

        Report.Table($"memory: one worker process, {jobs} jobs of 3 s WAV; {Report.Machine}", rows);
    }

    private static async Task SubmitAsync(DistributedDeployment deployment, byte[] clip, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await deployment.SubmitAsync(clip, $"clip-{i}.wav"));
    }

    /// <summary>A memory line of /proc/PID/status (kB there), in MiB.</summary>
    private static double Rss(WorkerProcess worker, string field)
    {
        var line = File.ReadLines($"/proc/{worker.ProcessId}/status").Single(l => l.StartsWith(field + ":"));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return kilobytes / 1024.0;
    }
}
