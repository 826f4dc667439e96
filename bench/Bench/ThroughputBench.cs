using System.Diagnostics;
using SpeechEmotion.IntegrationTests.Audio;

namespace SpeechEmotion.Bench;

/// <summary>
/// Distributed throughput: submit M jobs of 3 s clips to the Api (4 uploads in flight) and time until N worker
/// processes have finished all of them. The Api runs in this process, so it shares the machine with the workers.
/// </summary>
public static class ThroughputBench
{
    private const int UploadsInFlight = 4;
    private const int DistinctClips = 10;

    public static async Task RunAsync(int workers, int jobs)
    {
        await using var deployment = await DistributedDeployment.StartAsync(workers);
        var clips = Enumerable.Range(0, DistinctClips).Select(seed => TestAudio.SpeechLikeWav(seconds: 3, seed: seed)).ToArray();

        // Warm-up: one job per worker, so model loading and JIT are not counted.
        for (var i = 0; i < workers; i++) await deployment.SubmitAsync(clips[0], "warmup.wav");
        await deployment.WaitUntilFinishedAsync(workers, TimeSpan.FromMinutes(2));

        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = UploadsInFlight },
            async (i, _) => await deployment.SubmitAsync(clips[i % DistinctClips], $"clip-{i}.wav"));
        var submitted = stopwatch.Elapsed;
        var failed = await deployment.WaitUntilFinishedAsync(workers + jobs, TimeSpan.FromMinutes(20));
        var finished = stopwatch.Elapsed;

        Report.Table($"throughput: {jobs} jobs of 3 s WAV, {workers} worker process(es), RabbitMQ + PostgreSQL on localhost; {Report.Machine}",
        [
            ("workers", $"{workers}"),
            ("jobs", $"{jobs}"),
            ("failed jobs", $"{failed}"),
            ("all submitted after (s)", $"{submitted.TotalSeconds:F1}"),
            ("all finished after (s)", $"{finished.TotalSeconds:F1}"),
            ("throughput (jobs/s)", $"{jobs / finished.TotalSeconds:F2}"),
        ]);
    }
}
