using SpeechEmotion.Cli.Audio;
using SpeechEmotion.Cli.Live;
using SpeechEmotion.Cli.Tests.Support;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Cli.Tests;

/// <summary>The live verb's file reading: what it sends as Twilio (8 kHz μ-law), as raw PCM, and what it refuses.</summary>
public sealed class LiveWavTests
{
    [Fact]
    public void An_8_khz_mu_law_wav_goes_as_twilio_and_a_float_wav_is_refused_with_a_fix()
    {
        var muLaw = LiveWav.Read(WavFile.MuLaw(new float[8000], 8000));   // one second at 8 kHz
        Assert.True(muLaw.IsMuLaw);
        Assert.Equal((8000, 1), (muLaw.SampleRate, muLaw.Channels));
        Assert.Equal(1.0, muLaw.Seconds, 2);

        var refused = Assert.Throws<InvalidDataException>(() => LiveWav.Read(WavFile.Float32(new float[1600])));
        Assert.Contains("pcm_mulaw", refused.Message);
        Assert.Throws<InvalidDataException>(() => LiveWav.Read("not a wav at all"u8.ToArray()));
    }

    [Fact]
    public async Task The_live_verb_refuses_a_bad_url_and_a_missing_file_in_one_line()
    {
        var missing = await CliRun.RunAsync("live", "/nonexistent/call.wav");
        using var folder = new TempFolder("cli-tests-");
        var file = folder.Write("call.wav", WavFile.MuLaw(new float[16000], 8000));
        var badUrl = await CliRun.RunAsync("live", file, "--url", "http://localhost:5080/live");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
        Assert.Equal(1, badUrl.ExitCode);
        Assert.Contains("ws://", badUrl.Error);
    }
}
