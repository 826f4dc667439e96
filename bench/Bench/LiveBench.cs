using System.Diagnostics;
using System.Net.WebSockets;
using SpeechEmotion.Cli.Live;
using SpeechEmotion.Service.Tests.Infrastructure;

namespace SpeechEmotion.Bench;

/// <summary>
/// `Bench live`: the embedded service (Release, its own process) takes N concurrent two-track calls on /live at
/// real-time pace (the service tests' generated stereo μ-law call, agent outbound, customer inbound; Twilio format,
/// 20 ms chunks, starts spread over 2 s). For every utterance: the delay from its real end (last audible sample, from
/// the audio itself) to its final emotion frame at the client, VAD hang-over and the 20 ms chunking included. A level
/// is kept up with when every stream got one final frame per utterance and its summary, and the delays did not grow
/// from the first half of the call to the second (no backlog). Memory per stream: the service's RSS during the level
/// over its RSS before, divided by N. The client runs in this process on the same cores.
/// </summary>
internal static class LiveBench
{
    public static async Task RunAsync(int[] levels, int seconds)
    {
        var apiDll = Path.Combine(BenchPaths.RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "SpeechEmotion.Api.dll");
        var folder = Directory.CreateTempSubdirectory("bench-live-");
        var callPath = Path.Combine(folder.FullName, "call.wav");
        GeneratedCalls.WriteStereoMuLaw(callPath, Math.Max(1, (int)Math.Round(seconds / GeneratedCalls.PatternSeconds)));
        var bytes = await File.ReadAllBytesAsync(callPath);
        var wav = LiveWav.Read(bytes);
        var truth = SpeechTruth.Of(bytes);
        string[] tracks = ["outbound", "inbound"];
        var turns = Enumerable.Range(0, 2).Select(channel => truth.Turns(channel)).ToArray();

        var port = CallsBench.FreePort();
        using var api = StartApi(apiDll, port, folder.FullName);
        var rows = new List<string>
        {
            "| concurrent calls (2 tracks each) | utterances | missed / wrong | delay p50 / p95 / max | p95 first half → second half | summary after stop p95 | client send lag max | service CPU | service RSS before → during | per stream | load avg (1 min) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        };
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await CallsBench.WaitReadyAsync(http);
            // Warm-up: one short stream, so the first level does not pay JIT and model warm-up.
            await LiveStreamer.StreamAsync(new Uri($"ws://127.0.0.1:{port}/live"), wav, tracks, speed: 0, onFrame: null, CancellationToken.None);
            foreach (var streams in levels)
            {
                rows.Add(await RunLevelAsync(api, port, wav, tracks, turns, streams));
                Console.WriteLine(rows[^1]);
            }
        }
        finally
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
            folder.Delete(recursive: true);
        }
        Console.WriteLine($"live: {wav.Seconds:0} s stereo 8 kHz μ-law call per stream, Twilio format at real-time pace, embedded service (Release); {Environment.ProcessorCount} cores, client in the bench process");
        rows.ForEach(Console.WriteLine);
    }

    private static async Task<string> RunLevelAsync(Process api, int port, LiveWav wav, string[] tracks, IReadOnlyList<(double Start, double End)>[] turns, int streams)
    {
        var rssBefore = RssMiB(api.Id, "VmRSS");
        var cpuBefore = api.TotalProcessorTime;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var peakRss = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, RssMiB(api.Id, "VmRSS"));
                await Task.Delay(500);
            }
        });
        var random = new Random(streams);
        var clock = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, streams).Select(async _ =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 2000)));
            try
            {
                return await LiveStreamer.StreamAsync(new Uri($"ws://127.0.0.1:{port}/live"), wav, tracks, speed: 1, onFrame: null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                return null;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(runs);
        var wall = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        var cpu = (api.TotalProcessorTime - cpuBefore).TotalSeconds;

        var delays = new List<(double AudioEnd, double Delay)>();
        var missed = 0;
        var summaries = new List<double>();
        foreach (var outcome in outcomes)
        {
            if (outcome is null || outcome.CloseStatus != WebSocketCloseStatus.NormalClosure)
            {
                missed += turns.Sum(t => t.Count);
                continue;
            }
            for (var channel = 0; channel < tracks.Length; channel++)
            {
                var finals = outcome.Frames.Where(f => f.Event == "emotion" && f.Json["final"]!.GetValue<bool>()
                    && f.Json["track"]!.GetValue<string>() == tracks[channel]).ToList();
                foreach (var (start, end) in turns[channel])
                {
                    var matches = finals.Where(f => f.Json["start"]!.GetValue<double>() < end && f.Json["end"]!.GetValue<double>() > start).ToList();
                    if (matches.Count != 1)
                    {
                        missed++;
                        continue;
                    }
                    delays.Add((end, (matches[0].At - outcome.AudioStart).TotalSeconds - end));
                }
                missed += finals.Count(f => !turns[channel].Any(t => f.Json["start"]!.GetValue<double>() < t.End && f.Json["end"]!.GetValue<double>() > t.Start));
            }
            if (outcome.Frames.FirstOrDefault(f => f.Event == "summary") is { } summary)
            {
                summaries.Add((summary.At - outcome.StopSentAt).TotalSeconds);
            }
        }
        var halfway = wav.Seconds / 2;
        var firstHalf = delays.Where(d => d.AudioEnd < halfway).Select(d => d.Delay).ToList();
        var secondHalf = delays.Where(d => d.AudioEnd >= halfway).Select(d => d.Delay).ToList();
        var all = delays.Select(d => d.Delay).ToList();
        var lag = outcomes.Where(o => o is not null).Select(o => o!.MaxSendLag.TotalSeconds).DefaultIfEmpty().Max();
        var perStream = (peakRss - rssBefore) / streams;
        return $"| {streams} | {delays.Count} | {missed} | {Ms(Percentile(all, 50))} / {Ms(Percentile(all, 95))} / {Ms(all.DefaultIfEmpty().Max())} | " +
               $"{Ms(Percentile(firstHalf, 95))} → {Ms(Percentile(secondHalf, 95))} | {Ms(Percentile(summaries, 95))} | {Ms(lag)} | " +
               $"{cpu / wall.TotalSeconds:0.00} cores | {rssBefore:0} → {peakRss:0} MiB | {perStream:0.0} MiB | {load} |";
    }

    private static Process StartApi(string apiDll, int port, string dataDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [apiDll, $"--Urls=http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SpeechEmotion__Mode"] = "Embedded";
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Live__MaxConcurrentStreams"] = "1000";
        var api = Process.Start(start)!;
        api.OutputDataReceived += (_, _) => { };
        api.ErrorDataReceived += (_, _) => { };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        return api;
    }

    private static double RssMiB(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;

    private static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Clamp(Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Ms(double seconds) => double.IsNaN(seconds) ? "–" : $"{seconds * 1000:0} ms";
}
