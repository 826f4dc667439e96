using System.Diagnostics;
using SpeechEmotion.Analysis;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.IntegrationTests.Audio;

namespace SpeechEmotion.Bench;

/// <summary>
/// What each decoding path costs: the same 3.6 s speech-like clip as 16 kHz PCM WAV, 8 kHz μ-law WAV, 48 kHz PCM WAV,
/// 8 kHz MP3 at 32 kbit/s and 8 kHz Opus in Ogg. (1) POST /emotion throughput with --concurrency clients at once to
/// the in-process embedded Api; the formats take turns in rounds, so a change in the machine's load during the run
/// hits them all alike; besides requests per second, the CPU each request cost (this process and ffmpeg), which a
/// busy machine does not distort. (2) The decode alone in this process (AudioDecoder, one thread), the part that differs.
/// </summary>
public static class FormatsBench
{
    private const double ClipSeconds = 3.6;
    private const int Rounds = 5;
    private const int DecodeRuns = 100;

    public static async Task RunAsync(int requests, int concurrency, int warmup)
    {
        await using var api = LatencyBench.StartEmbeddedApi();
        using var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        var clips = Clips().ToArray();
        foreach (var clip in clips)
        {
            for (var i = 0; i < warmup; i++) await LatencyBench.PostEmotionAsync(client, clip.Bytes, clip.FileName);
        }

        var elapsed = new double[clips.Length];
        var cpuSeconds = new double[clips.Length];
        var milliseconds = clips.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var c = 0; c < clips.Length; c++)
            {
                var (_, fileName, bytes) = clips[c];
                var stopwatch = Stopwatch.StartNew();
                var cpuBefore = CpuSecondsWithChildren();
                await Parallel.ForEachAsync(Enumerable.Range(0, requests / Rounds), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                    async (_, _) =>
                    {
                        var one = Stopwatch.StartNew();
                        await LatencyBench.PostEmotionAsync(client, bytes, fileName);
                        lock (milliseconds[c]) milliseconds[c].Add(one.Elapsed.TotalMilliseconds);
                    });
                elapsed[c] += stopwatch.Elapsed.TotalSeconds;
                cpuSeconds[c] += CpuSecondsWithChildren() - cpuBefore;
            }
        }

        var rows = new List<(string, string)>();
        var sent = requests / Rounds * Rounds;
        var wavRate = sent / elapsed[0];
        for (var c = 0; c < clips.Length; c++)
        {
            var rate = sent / elapsed[c];
            milliseconds[c].Sort();
            var decode = await DecodeMillisecondsAsync(clips[c].Bytes, clips[c].FileName);
            var cpuPerRequest = cpuSeconds[c] * 1000 / sent;
            rows.Add((clips[c].Name,
                $"{rate:F1} req/s = {rate / wavRate:F2} x WAV | CPU {cpuPerRequest:F1} ms/req = {cpuSeconds[0] / cpuSeconds[c]:F2} x WAV | p50 {Report.Percentile(milliseconds[c], 50):F0} ms | decode alone {decode:F2} ms"));
        }

        Report.Table($"formats: POST /emotion, one {ClipSeconds} s clip, {requests} requests per format at concurrency {concurrency} in {Rounds} rounds, after {warmup} warm-up, in-process embedded Api; decode alone: mean of {DecodeRuns} AudioDecoder runs; {Report.Machine}", rows);
    }

    /// <summary>
    /// CPU time of this process and of its finished children (ffmpeg), from /proc/self/stat: unlike wall time it does
    /// not depend on what else the machine runs, so the formats compare fairly on a busy box.
    /// </summary>
    private static double CpuSecondsWithChildren()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the ")" that closes the command name; utime, stime, cutime, cstime are fields 14-17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double ticksPerSecond = 100;
        return fields[11..15].Sum(field => double.Parse(field)) / ticksPerSecond;
    }

    private static async Task<double> DecodeMillisecondsAsync(byte[] clip, string fileName)
    {
        var decoder = new AudioDecoder(new AnalysisOptions());
        var format = AudioFormatSniffer.Detect(fileName, clip);
        for (var i = 0; i < 5; i++) await decoder.DecodeAsync(clip, format, CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < DecodeRuns; i++) await decoder.DecodeAsync(clip, format, CancellationToken.None);
        return stopwatch.Elapsed.TotalMilliseconds / DecodeRuns;
    }

    private static IEnumerable<(string Name, string FileName, byte[] Bytes)> Clips()
    {
        var at16k = TestAudio.SpeechLikeWav(ClipSeconds);
        var at8k = TestAudio.SpeechLikeWav(ClipSeconds, sampleRate: 8000);
        yield return ("16 kHz PCM WAV", "clip.wav", at16k);
        yield return ("8 kHz μ-law WAV", "clip.wav", TestTranscoder.Transcode(at8k, ".wav", "-c:a", "pcm_mulaw"));
        yield return ("48 kHz PCM WAV", "clip.wav", TestAudio.SpeechLikeWav(ClipSeconds, sampleRate: 48000));
        yield return ("8 kHz MP3 32 kbit/s", "clip.mp3", TestTranscoder.Transcode(at8k, ".mp3", "-c:a", "libmp3lame", "-b:a", "32k"));
        yield return ("8 kHz Opus in Ogg (ffmpeg)", "clip.opus", TestTranscoder.Transcode(at8k, ".opus", "-c:a", "libopus", "-b:a", "24k"));
    }
}
