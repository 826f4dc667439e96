using System.Diagnostics;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Bench;

/// <summary>
/// Decode speed of a long call: a generated --minutes stereo 8 kHz μ-law WAV read to the end at 16 kHz per channel
/// through <see cref="RecordingReader"/> (managed G.711 + polyphase resampler), against ffmpeg alone doing the same
/// (-ar 16000, float32 to a null sink). Also reports the bytes the reader allocated.
/// </summary>
public static class DecodeBench
{
    public static async Task RunAsync(int minutes)
    {
        var seconds = minutes * 60;
        var path = Path.Combine(Path.GetTempPath(), $"bench-call-{minutes}min.wav");
        if (!File.Exists(path))
        {
            TestTranscoder.Generate(path, "-f", "lavfi", "-i", $"aevalsrc=0.5*sin(2*PI*440*t)|0.3*sin(2*PI*1200*t):s=8000:d={seconds}", "-c:a", "pcm_mulaw");
        }

        // Warm-up: JIT and the filter design.
        await ReadAllAsync(path, TimeSpan.FromSeconds(10));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var reader = Stopwatch.StartNew();
        var frames = await ReadAllAsync(path, null);
        var readerSeconds = reader.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var ffmpeg = Stopwatch.StartNew();
        using (var process = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", path, "-ar", "16000", "-f", "f32le", "-y", "/dev/null"]))!)
        {
            await process.WaitForExitAsync();
        }

        var ffmpegSeconds = ffmpeg.Elapsed.TotalSeconds;
        Report.Table($"decode: {minutes} min stereo 8 kHz μ-law WAV ({new FileInfo(path).Length / 1e6:F0} MB) to 16 kHz float32 per channel; {Report.Machine}",
        [
            ("frames out per channel", $"{frames}"),
            ("RecordingReader (s)", $"{readerSeconds:F2}"),
            ("RecordingReader (x real time)", $"{seconds / readerSeconds:F0}"),
            ("RecordingReader allocated (MB)", $"{allocated / 1e6:F2}"),
            ("ffmpeg alone (s)", $"{ffmpegSeconds:F2}"),
            ("ffmpeg alone (x real time)", $"{seconds / ffmpegSeconds:F0}"),
        ]);
    }

    private static async Task<long> ReadAllAsync(string path, TimeSpan? limit)
    {
        await using var reader = await RecordingReader.OpenFileAsync(path, new RecordingReaderOptions(), CancellationToken.None);
        var block = reader.CreateBlock(16000);
        while (await reader.ReadAsync(block, CancellationToken.None))
        {
            if (limit is { } max && block.Start >= max)
            {
                break;
            }
        }

        return reader.FramesRead;
    }
}
