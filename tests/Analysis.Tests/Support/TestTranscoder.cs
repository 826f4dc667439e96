using System.Diagnostics;

namespace SpeechEmotion.Analysis.Tests.Support;

/// <summary>Makes the compressed and exotic test files by running ffmpeg on a generated WAV.</summary>
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
