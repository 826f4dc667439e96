using System.Diagnostics;
using SpeechEmotion.TestSupport.Audio;

namespace SpeechEmotion.Service.Tests.Infrastructure;

/// <summary>
/// Stereo 8 kHz μ-law WAV calls made by ffmpeg from the synthetic sentences (<see cref="SyntheticSpeech"/>): the agent speaks on the left
/// channel at <see cref="AgentAt"/> s, the customer on the right at <see cref="CustomerAt"/> s, in a 12 s pattern that
/// a long call repeats. The sentences last at most about <see cref="SentenceSeconds"/> s (the synthetic ones 4.1 and 3.6 s).
/// </summary>
public static class GeneratedCalls
{
    public const double PatternSeconds = 12;
    public const double AgentAt = 1;
    public const double CustomerAt = 6.5;
    public const double SentenceSeconds = 4.5;

    /// <summary>One pattern repeated <paramref name="repeats"/> times; μ-law, 8 kHz, stereo.</summary>
    public static byte[] StereoMuLaw(int repeats = 1)
    {
        var folder = Directory.CreateTempSubdirectory("service-tests-call-");
        try
        {
            var call = Path.Combine(folder.FullName, "call.wav");
            WriteStereoMuLaw(call, repeats);
            return File.ReadAllBytes(call);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The same call as 16-bit PCM at <paramref name="sampleRate"/>, stereo (agent left, customer right).</summary>
    public static byte[] StereoPcm16(int repeats, int sampleRate)
    {
        var folder = Directory.CreateTempSubdirectory("service-tests-call-");
        try
        {
            var (mulaw, pcm) = (Path.Combine(folder.FullName, "call.wav"), Path.Combine(folder.FullName, "pcm.wav"));
            WriteStereoMuLaw(mulaw, repeats);
            Ffmpeg("-i", mulaw, "-ar", sampleRate.ToString(), "-c:a", "pcm_s16le", pcm);
            return File.ReadAllBytes(pcm);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Writes the call to <paramref name="path"/> (long calls never sit in memory).</summary>
    public static void WriteStereoMuLaw(string path, int repeats)
    {
        var folder = Directory.CreateTempSubdirectory("speech-emotion-call-");
        try
        {
            var (agent, customer) = (Path.Combine(folder.FullName, "agent.wav"), Path.Combine(folder.FullName, "customer.wav"));
            File.WriteAllBytes(agent, WavWriter.Pcm16(SyntheticSpeech.Agent, SyntheticSpeech.SampleRate));
            File.WriteAllBytes(customer, WavWriter.Pcm16(SyntheticSpeech.Customer, SyntheticSpeech.SampleRate));
            var pattern = Path.Combine(folder.FullName, "pattern.wav");
            Ffmpeg("-i", agent, "-i", customer, "-filter_complex",
                $"[0]aresample=8000,adelay={AgentAt * 1000:0},apad,atrim=0:{PatternSeconds}[l];" +
                $"[1]aresample=8000,adelay={CustomerAt * 1000:0},apad,atrim=0:{PatternSeconds}[r];" +
                "[l][r]join=inputs=2:channel_layout=stereo[out]",
                "-map", "[out]", "-ar", "8000", "-c:a", "pcm_s16le", pattern);
            Ffmpeg("-stream_loop", (repeats - 1).ToString(), "-i", pattern, "-c:a", "pcm_mulaw", path);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-hide_banner", "-loglevel", "error", "-y" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {errors}");
        }
    }
}
