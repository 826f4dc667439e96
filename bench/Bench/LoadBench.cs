using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.IntegrationTests.Audio;
using SpeechEmotion.IntegrationTests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// Sustained load: an open-loop generator on loopback submits POST /jobs at a fixed rate (uploads in flight bounded by
/// --concurrency), rotating 16 kHz PCM WAV, 8 kHz μ-law WAV and 8 kHz MP3 clips of 3–6 s, and polls GET /jobs/{id}
/// until each job ends. End to end = the job's completedAt (server clock, same machine) minus the moment its upload
/// began. Without --rate, 30 s probes climb --rates until one falls behind (an error, an upload that could not start
/// on time, or jobs still unfinished 10 s after the last upload); the long run uses the highest rate that kept up.
/// RSS is that of the processing process: this process in embedded mode (it hosts the Api and the generator), each
/// worker process in distributed mode.
/// </summary>
public static class LoadBench
{
    private static readonly TimeSpan ProbeDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainAllowance = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPollInterval = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(string mode, int workers, int minutes, int? rate, int[] probeRates, int concurrency)
    {
        await using var target = await LoadTarget.StartAsync(mode, workers);
        var clips = Clips().ToArray();
        var rssAtStart = target.RssMiB();
        var load = File.ReadAllText("/proc/loadavg").Trim();

        // Warm-up: model loading and JIT are not counted.
        await RunLoadAsync(target.Client, clips, rate: 2, TimeSpan.FromSeconds(5), concurrency);

        var chosen = rate ?? await ProbeAsync(target.Client, clips, probeRates, concurrency);
        var run = await RunLoadAsync(target.Client, clips, chosen, TimeSpan.FromMinutes(minutes), concurrency);
        var rssAtEnd = target.RssMiB();

        var rows = new List<(string, string)>
        {
            ("target rate (jobs/s)", $"{chosen}" + (rate is null ? $" (highest of {string.Join(", ", probeRates)} kept up in {ProbeDuration.TotalSeconds:F0} s probes)" : "")),
            ("duration (s)", $"{run.SubmitSeconds:F0}"),
            ("submitted", $"{run.Submitted}"),
            ("accepted (202)", $"{run.Accepted}"),
            ("accepted jobs/s", $"{run.Accepted / run.SubmitSeconds:F2}"),
            ("completed (succeeded)", $"{run.Succeeded}"),
            ("errors", run.Errors.IsEmpty ? "0" : string.Join(", ", run.Errors.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))),
            ("end to end p50 / p95 / p99 (ms)", run.EndToEndMs.Count == 0 ? "-" :
                $"{Report.Percentile(run.EndToEndMs, 50):F0} / {Report.Percentile(run.EndToEndMs, 95):F0} / {Report.Percentile(run.EndToEndMs, 99):F0}"),
            ("all finished after last upload (s)", $"{run.DrainSeconds:F1}"),
        };
        foreach (var (name, mib) in rssAtStart)
        {
            rows.Add(($"{name} RSS start / end (MiB)", $"{mib:F0} / {rssAtEnd[name]:F0}"));
        }
        rows.Add(("load average at start / end", $"{load} / {File.ReadAllText("/proc/loadavg").Trim()}"));

        Report.Table($"load: {mode}{(mode == "distributed" ? $" with {workers} worker process(es), RabbitMQ + PostgreSQL on localhost" : "")}, " +
            $"{minutes} min open loop at a fixed rate, ≤ {concurrency} uploads in flight, 16 kHz PCM WAV / 8 kHz μ-law WAV / 8 kHz MP3 of 3–6 s in turn; {Report.Machine}", rows);
    }

    /// <summary>Climbs the rates; returns the highest that kept up, stopping at the first that did not.</summary>
    private static async Task<int> ProbeAsync(HttpClient client, (string FileName, byte[] Bytes)[] clips, int[] rates, int concurrency)
    {
        var best = 0;
        foreach (var rate in rates)
        {
            var probe = await RunLoadAsync(client, clips, rate, ProbeDuration, concurrency);
            var keptUp = probe.Errors.IsEmpty && probe.DrainSeconds <= DrainAllowance.TotalSeconds;
            Console.WriteLine($"probe {rate} jobs/s: accepted {probe.Accepted / probe.SubmitSeconds:F1}/s, " +
                $"errors {probe.Errors.Values.Sum()}, drained in {probe.DrainSeconds:F1} s, " +
                $"p99 {(probe.EndToEndMs.Count > 0 ? Report.Percentile(probe.EndToEndMs, 99) : 0):F0} ms -> {(keptUp ? "kept up" : "fell behind")}");
            if (!keptUp) break;
            best = rate;
        }
        if (best == 0) throw new InvalidOperationException($"no probed rate kept up: {string.Join(", ", rates)}");
        return best;
    }

    private sealed record LoadResult(int Submitted, int Accepted, int Succeeded, double SubmitSeconds, double DrainSeconds,
        ConcurrentDictionary<string, int> Errors, List<double> EndToEndMs);

    /// <summary>
    /// Open loop: upload i starts at i / rate seconds whatever the answers so far; if --concurrency uploads are already
    /// in flight at that moment, the upload is not sent and counts as an error ("not sent: in-flight bound").
    /// </summary>
    private static async Task<LoadResult> RunLoadAsync(HttpClient client, (string FileName, byte[] Bytes)[] clips, int rate, TimeSpan duration, int concurrency)
    {
        var errors = new ConcurrentDictionary<string, int>();
        var endToEnd = new ConcurrentBag<double>();
        var accepted = 0;
        var succeeded = 0;
        var uploadsInFlight = 0;
        var jobs = new List<Task>();
        var total = (int)(rate * duration.TotalSeconds);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - stopwatch.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
            if (Interlocked.Increment(ref uploadsInFlight) > concurrency)
            {
                Interlocked.Decrement(ref uploadsInFlight);
                errors.AddOrUpdate("not sent: in-flight bound", 1, (_, n) => n + 1);
                continue;
            }
            var clip = clips[i % clips.Length];
            jobs.Add(Task.Run(async () =>
            {
                var outcome = await SubmitAndFollowAsync(client, clip, () => Interlocked.Decrement(ref uploadsInFlight));
                if (outcome.Accepted) Interlocked.Increment(ref accepted);
                if (outcome.EndToEndMs is { } ms)
                {
                    Interlocked.Increment(ref succeeded);
                    endToEnd.Add(ms);
                }
                if (outcome.Error is { } error) errors.AddOrUpdate(error, 1, (_, n) => n + 1);
            }));
        }
        var submitSeconds = stopwatch.Elapsed.TotalSeconds;
        await Task.WhenAll(jobs);
        var drainSeconds = stopwatch.Elapsed.TotalSeconds - submitSeconds;
        var sorted = endToEnd.ToList();
        sorted.Sort();
        return new LoadResult(total, accepted, succeeded, submitSeconds, drainSeconds, errors, sorted);
    }

    private sealed record JobOutcome(bool Accepted, double? EndToEndMs, string? Error);

    private static async Task<JobOutcome> SubmitAndFollowAsync(HttpClient client, (string FileName, byte[] Bytes) clip, Action uploadDone)
    {
        var uploadStarted = DateTimeOffset.UtcNow;
        Guid id;
        try
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(clip.Bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(clip.FileName.EndsWith(".wav") ? "audio/wav" : "audio/mpeg");
            form.Add(file, "file", clip.FileName);
            using var response = await client.PostAsync("/jobs", form);
            if (!response.IsSuccessStatusCode) return new JobOutcome(false, null, $"POST {(int)response.StatusCode}");
            id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
        }
        catch (Exception exception)
        {
            return new JobOutcome(false, null, $"POST {exception.GetType().Name}");
        }
        finally
        {
            uploadDone();
        }

        // The poll interval doubles up to 2 s, so that a growing backlog is not made worse by the generator's own GETs.
        var deadline = DateTimeOffset.UtcNow + JobTimeout;
        for (var interval = FirstPoll; DateTimeOffset.UtcNow < deadline; interval = Min(interval * 2, LongestPollInterval))
        {
            await Task.Delay(interval);
            JsonNode job;
            try
            {
                using var response = await client.GetAsync($"/jobs/{id}");
                if (!response.IsSuccessStatusCode) return new JobOutcome(true, null, $"GET {(int)response.StatusCode}");
                job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            }
            catch (Exception exception)
            {
                return new JobOutcome(true, null, $"GET {exception.GetType().Name}");
            }
            switch (job["status"]!.GetValue<string>())
            {
                case "succeeded":
                    var completedAt = DateTimeOffset.Parse(job["completedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    return new JobOutcome(true, (completedAt - uploadStarted).TotalMilliseconds, null);
                case "failed":
                    return new JobOutcome(true, null, $"job failed: {job["error"]?["code"]?.GetValue<string>() ?? "?"}");
            }
        }
        return new JobOutcome(true, null, "job not finished within " + JobTimeout.TotalMinutes + " min");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>16 kHz PCM WAV, 8 kHz μ-law WAV and 8 kHz MP3 in turn, 3–6 s long (3 × 4 = 12 distinct clips).</summary>
    private static IEnumerable<(string FileName, byte[] Bytes)> Clips()
    {
        for (var k = 0; k < 12; k++)
        {
            var seconds = 3 + k % 4;
            var at8k = TestAudio.SpeechLikeWav(seconds, seed: k, sampleRate: 8000);
            yield return (k % 3) switch
            {
                0 => ($"clip-{k}.wav", TestAudio.SpeechLikeWav(seconds, seed: k)),
                1 => ($"clip-{k}.wav", TestTranscoder.Transcode(at8k, ".wav", "-c:a", "pcm_mulaw")),
                _ => ($"clip-{k}.mp3", TestTranscoder.Transcode(at8k, ".mp3", "-c:a", "libmp3lame", "-b:a", "32k")),
            };
        }
    }

    /// <summary>The service under load, embedded (Api in this process) or distributed (Api here, N worker processes).</summary>
    private sealed class LoadTarget : IAsyncDisposable
    {
        private readonly KestrelApiFactory? _embedded;
        private readonly DistributedDeployment? _distributed;

        public HttpClient Client { get; }

        private LoadTarget(KestrelApiFactory? embedded, DistributedDeployment? distributed, HttpClient client)
        {
            _embedded = embedded;
            _distributed = distributed;
            Client = client;
            Client.Timeout = TimeSpan.FromSeconds(60);
        }

        public static async Task<LoadTarget> StartAsync(string mode, int workers)
        {
            switch (mode)
            {
                case "embedded":
                    var api = LatencyBench.StartEmbeddedApi();
                    return new LoadTarget(api, null, api.CreateClient());
                case "distributed":
                    var deployment = await DistributedDeployment.StartAsync(workers);
                    return new LoadTarget(null, deployment, deployment.Client);
                default:
                    throw new ArgumentException($"--mode must be embedded or distributed, not '{mode}'");
            }
        }

        /// <summary>VmRSS of each processing process, in MiB.</summary>
        public Dictionary<string, double> RssMiB() => _distributed is null
            ? new() { ["Api process (embedded, with the generator)"] = VmRssMiB("self") }
            : _distributed.Workers.ToDictionary(worker => worker.Name, worker => VmRssMiB($"{worker.ProcessId}"));

        private static double VmRssMiB(string process)
        {
            var line = File.ReadLines($"/proc/{process}/status").Single(l => l.StartsWith("VmRSS:"));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }

        public async ValueTask DisposeAsync()
        {
            if (_embedded is not null)
            {
                Client.Dispose();
                await _embedded.DisposeAsync();
            }
            if (_distributed is not null) await _distributed.DisposeAsync();
        }
    }
}
