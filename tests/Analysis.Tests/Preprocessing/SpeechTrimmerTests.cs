using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Speech;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Tests.Preprocessing;

/// <summary>The short-clip path with Analysis:Speech:TrimRecordings on: an upload cut to its speech, or no_speech.</summary>
public sealed class SpeechTrimmerTests : IDisposable
{
    private readonly SpeechDetector trimming = new(new SpeechDetectionOptions { TrimRecordings = true });

    public void Dispose() => trimming.Dispose();

    private Task<PreparedRecording> PrepareAsync(float[] samples, SpeechDetector? detector) =>
        new RecordingPreparer(new AnalysisOptions(), detector)
            .PrepareAsync(new MemoryStream(TestWavWriter.Write(samples)), "clip.wav", CancellationToken.None);

    [Fact]
    public async Task An_utterance_between_noisy_pauses_is_cut_to_the_utterance_within_0_3_s()
    {
        var call = new GeneratedCall().Pause(1.5).Speak(SpeechClips.Agent, -26).Pause(2);
        var samples = call.Render(-50, NoiseColour.Pink);

        var prepared = await PrepareAsync(samples, trimming);

        var speech = call.Speech[0];
        Assert.InRange(prepared.ModelInput.Offset, speech.Start - 4800, speech.Start + 4800);
        Assert.InRange(prepared.ModelInput.Offset + prepared.ModelInput.Count, speech.End - 4800, speech.End + 4800);
    }

    [Fact]
    public async Task Hold_music_and_loud_noise_are_no_speech_although_the_energy_rule_passes_them()
    {
        float[][] noSpeech =
        [
            new GeneratedCall().Music(4, -24).Render(-60, NoiseColour.White),
            new GeneratedCall().Pause(3).Render(-35, NoiseColour.Pink),
        ];

        foreach (var samples in noSpeech)
        {
            var rejection = await Assert.ThrowsAsync<AudioRejectedException>(() => PrepareAsync(samples, trimming));
            Assert.Equal(ErrorCodes.NoSpeech, rejection.Code);
            await PrepareAsync(samples, detector: null);
        }
    }

    [Fact]
    public async Task Quiet_speech_passes_where_the_energy_rule_refuses_it()
    {
        var quiet = new GeneratedCall().Pause(0.5).Speak(SpeechClips.Customer, -62).Pause(0.5).Render(double.NegativeInfinity, NoiseColour.White);

        var prepared = await PrepareAsync(quiet, trimming);

        Assert.True(prepared.ModelInput.Count > 2 * 16000);
        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(() => PrepareAsync(quiet, detector: null));
        Assert.Equal(ErrorCodes.NoSpeech, rejection.Code);
    }

    [Fact]
    public async Task Without_TrimRecordings_a_detector_leaves_the_energy_rule_in_place()
    {
        using var notTrimming = new SpeechDetector(new SpeechDetectionOptions());
        var music = new GeneratedCall().Pause(0.5).Music(3, -24).Pause(0.5).Render(double.NegativeInfinity, NoiseColour.White);

        var prepared = await PrepareAsync(music, notTrimming);

        // The energy rule keeps the music plus 40 ms either side.
        Assert.Equal(8000 - 640, prepared.ModelInput.Offset);
    }
}
