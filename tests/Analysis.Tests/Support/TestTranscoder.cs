using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>Makes the compressed and exotic test files, and reference decodes, by running ffmpeg.</summary>
internal static class TestTranscoder
{
    public static byte[] Transcode(byte[] wav, string outputExtension, params string[] encoderArguments)
    {
        var folder = Directory.CreateTempSubdirectory("analysis-tests-");
        try
        {
            var input = Path.Combine(folder.FullName, "input.wav");
            var output = Path.Combine(folder.FullName, "output" + outputExtension);
            File.WriteAllBytes(input, wav);
            Run(["-hide_banner", "-loglevel", "error", "-y", "-i", input, .. encoderArguments, output]);
            return File.ReadAllBytes(output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Any audio file as 16 kHz mono float samples, after optional ffmpeg arguments (e.g. "-af", "volume=-7dB").</summary>
    public static float[] DecodeFile(string path, params string[] filterArguments)
    {
        var folder = Directory.CreateTempSubdirectory("analysis-tests-");
        try
        {
            var output = Path.Combine(folder.FullName, "output.f32");
            Run(["-hide_banner", "-loglevel", "error", "-y", "-i", path, .. filterArguments, "-ac", "1", "-ar", "16000", "-f", "f32le", output]);
            var bytes = File.ReadAllBytes(output);
            var samples = new float[bytes.Length / sizeof(float)];
            Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * sizeof(float));
            return samples;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Writes ffmpeg's output for <paramref name="arguments"/> (e.g. a lavfi source) to <paramref name="outputPath"/>.</summary>
    public static void Generate(string outputPath, params string[] arguments) =>
        Run(["-hide_banner", "-loglevel", "error", "-y", .. arguments, outputPath]);

    /// <summary>ffmpeg's own decode of <paramref name="file"/> as interleaved float32, at the file's rate unless told.</summary>
    public static float[] DecodeInterleaved(byte[] file, string extension, params string[] outputArguments)
    {
        var folder = Directory.CreateTempSubdirectory("analysis-tests-");
        try
        {
            var input = Path.Combine(folder.FullName, "input" + extension);
            var output = Path.Combine(folder.FullName, "output.raw");
            File.WriteAllBytes(input, file);
            Run(["-hide_banner", "-loglevel", "error", "-y", "-i", input, .. outputArguments, "-f", "f32le", output]);
            return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Run(string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed: {errors}");
        }
    }
}
