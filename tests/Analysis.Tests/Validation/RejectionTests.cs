using System.Runtime.Versioning;
using System.Text;
using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Analysis.Validation;
using SpeechEmotion.Contracts.Errors;
using SpeechEmotion.Contracts.Results;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Analysis.Tests.Validation;

/// <summary>
/// Every kind of bad upload gets its stable code and a message from the service's analysis path
/// (<see cref="Calls.CallAnalyzer"/>, what POST /jobs and POST /emotion run), and nothing else escapes.
/// </summary>
public sealed class RejectionTests(CallFixture fixture) : IClassFixture<CallFixture>
{
    /// <summary>Calls limited to two minutes, so "too long" needs a 130-s upload, not four hours of one.</summary>
    private static AnalysisOptions TwoMinuteCalls => new() { MaxCallDuration = TimeSpan.FromMinutes(2) };

    private Task<EmotionResult> AnalyzeAsync(byte[] upload, string fileName, AnalysisOptions? options = null, CancellationToken cancellationToken = default) =>
        fixture.Analyzer(options).AnalyzeAsync(new MemoryStream(upload), fileName, AnalysisRequest.Default, cancellationToken);

    private async Task<AudioRejectedException> RejectedAsync(byte[] upload, string fileName, AnalysisOptions? options = null)
    {
        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(() => AnalyzeAsync(upload, fileName, options));
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
        return rejection;
    }

    private static byte[] SpeechWav(double seconds = 1.0) => TestWavWriter.Write(TestSignals.Syllables(seconds));

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Empty_file_is_corrupt_audio() =>
        Assert.Equal(ErrorCodes.CorruptAudio, (await RejectedAsync([], "empty.wav")).Code);

    [Fact]
    public async Task Text_renamed_wav_is_unsupported_format() =>
        Assert.Equal(ErrorCodes.UnsupportedFormat,
            (await RejectedAsync(Encoding.UTF8.GetBytes("Dear team, please find attached the recording."), "notes.wav")).Code);

    [Theory]
    [InlineData(20)] // cut inside the fmt chunk
    [InlineData(40)] // fmt complete, data chunk header cut
    public async Task Truncated_wav_header_is_corrupt_audio(int keptBytes) =>
        Assert.Equal(ErrorCodes.CorruptAudio, (await RejectedAsync(SpeechWav()[..keptBytes], "cut.wav")).Code);

    [Fact]
    public async Task Wav_with_an_empty_data_chunk_is_corrupt_audio() =>
        Assert.Equal(ErrorCodes.CorruptAudio, (await RejectedAsync(TestWavWriter.Write([]), "nothing.wav")).Code);

    [Fact]
    public async Task A_tenth_of_a_second_is_too_short() =>
        Assert.Equal(ErrorCodes.TooShort, (await RejectedAsync(SpeechWav(0.1), "blip.wav")).Code);

    [Fact]
    public async Task Minimum_duration_is_configurable()
    {
        var options = new AnalysisOptions { MinDuration = TimeSpan.FromSeconds(2) };

        Assert.Equal(ErrorCodes.TooShort, (await RejectedAsync(SpeechWav(1.5), "short.wav", options)).Code);
    }

    [Fact]
    public async Task Three_seconds_of_silence_is_no_speech() =>
        Assert.Equal(ErrorCodes.NoSpeech, (await RejectedAsync(TestWavWriter.Write(TestSignals.Silence(3)), "quiet.wav")).Code);

    [Fact]
    public async Task Faint_hiss_below_the_threshold_is_no_speech()
    {
        // Uniform noise of amplitude 0.001 is about -65 dBFS RMS: above the trimming floor (-70), below -50.
        var hiss = TestWavWriter.Write(TestSignals.WhiteNoise(2, 0.001f));

        Assert.Equal(ErrorCodes.NoSpeech, (await RejectedAsync(hiss, "hiss.wav")).Code);
    }

    [Fact]
    public async Task Silence_threshold_is_configurable()
    {
        // A tone at about -26 dBFS RMS passes the default -50 dBFS but not a -20 dBFS threshold.
        var quietTone = TestWavWriter.Write(TestSignals.Tone(1, amplitude: 0.07f));
        var options = new AnalysisOptions { SilenceThresholdDbfs = -20 };

        Assert.Equal(ErrorCodes.NoSpeech, (await RejectedAsync(quietTone, "quiet.wav", options)).Code);
        var accepted = await AnalyzeAsync(quietTone, "quiet.wav");
        Assert.Equal(1.0, accepted.Audio.DurationSeconds);
    }

    [Theory]
    [InlineData(float.NaN, 16000, 1)]
    [InlineData(float.PositiveInfinity, 16000, 1)]
    [InlineData(float.NegativeInfinity, 16000, 2)]
    [InlineData(1e30f, 16000, 1)]
    [InlineData(-100f, 16000, 1)]
    [InlineData(float.NaN, 8000, 1)]                  // ffmpeg resamples these: its output is checked too
    [InlineData(float.PositiveInfinity, 44100, 2)]
    [InlineData(1e30f, 8000, 1)]
    public async Task Float_wav_with_a_sample_that_is_not_a_number_or_far_past_full_scale_is_corrupt_audio(
        float poison, int sampleRate, int channels)
    {
        var samples = TestSignals.Syllables(1.5, sampleRate);
        samples[samples.Length / 3] = poison;
        var wav = TestWavWriter.Write(samples, sampleRate, channels, WavEncoding.Float32);

        var rejection = await RejectedAsync(wav, "poisoned.wav");

        Assert.Equal(ErrorCodes.CorruptAudio, rejection.Code);
        Assert.Equal(SampleRange.RejectionDetail, rejection.Message);
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public async Task Float_wav_a_little_past_full_scale_is_still_analysed(int sampleRate)
    {
        var samples = TestSignals.Syllables(1.5, sampleRate, amplitude: 2.5f);
        var wav = TestWavWriter.Write(samples, sampleRate, encoding: WavEncoding.Float32);

        var result = await AnalyzeAsync(wav, "hot.wav");
        var decoded = await new AudioDecoder(new AnalysisOptions()).DecodeAsync(new MemoryStream(wav), "hot.wav", CancellationToken.None);

        Assert.Equal(1.5, result.Audio.DurationSeconds);
        Assert.InRange(TestSignals.Rms(decoded.Samples), 0.5, 2.5); // passed on as it came, not clipped to 1
    }

    [Fact]
    public async Task Undecodable_audio_gets_a_fixed_detail_not_ffmpeg_output()
    {
        byte[] garbage = [0xFF, 0xFB, 0x90, 0x64, .. RandomBytes(20000, seed: 5)];
        byte[] otherGarbage = [0xFF, 0xFB, 0x90, 0x64, .. RandomBytes(3000, seed: 9)];

        var rejection = await RejectedAsync(garbage, "song.mp3");
        var otherRejection = await RejectedAsync(otherGarbage, "other.mp3");

        Assert.Equal(RecordingReader.UndecodableDetail, rejection.Message);
        Assert.Equal(RecordingReader.UndecodableDetail, otherRejection.Message);
    }

    [Theory]
    [InlineData("clip.<img src=x onerror=alert(1)>")]
    [InlineData("clip.wav\r\nFAKE")]
    public async Task Unsupported_format_detail_does_not_repeat_the_file_name(string fileName)
    {
        var rejection = await RejectedAsync(SpeechWav(), fileName);

        Assert.Equal(ErrorCodes.UnsupportedFormat, rejection.Code);
        Assert.DoesNotContain("img", rejection.Message);
        Assert.DoesNotContain("FAKE", rejection.Message);
    }

    [Fact]
    public async Task Random_bytes_named_mp3_are_unsupported_format()
    {
        var noise = RandomBytes(20000, seed: 3);
        noise[0] = 0x42; // make sure chance did not write an MPEG sync word

        Assert.Equal(ErrorCodes.UnsupportedFormat, (await RejectedAsync(noise, "song.mp3")).Code);
    }

    [Fact]
    public async Task Random_bytes_behind_an_mp3_sync_word_are_corrupt_audio()
    {
        byte[] garbage = [0xFF, 0xFB, 0x90, 0x64, .. RandomBytes(20000, seed: 5)];

        Assert.Equal(ErrorCodes.CorruptAudio, (await RejectedAsync(garbage, "song.mp3")).Code);
    }

    [Fact]
    public async Task Wav_renamed_mp3_is_unsupported_format() =>
        Assert.Equal(ErrorCodes.UnsupportedFormat, (await RejectedAsync(SpeechWav(), "speech.mp3")).Code);

    [Theory]
    [InlineData("speech.txt")]
    [InlineData("speech.exe")]
    [InlineData("speech")]
    public async Task Unknown_extension_is_unsupported_format(string fileName) =>
        Assert.Equal(ErrorCodes.UnsupportedFormat, (await RejectedAsync(SpeechWav(), fileName)).Code);

    [Fact]
    public async Task A_wav_past_the_call_limit_is_too_long()
    {
        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(SpeechWav(130), "long.wav", TwoMinuteCalls)).Code);
        // Under the default limit (4 h) the same upload is not too long (the detector hears no speech in these tones).
        var underDefault = await Record.ExceptionAsync(() => AnalyzeAsync(SpeechWav(130), "long.wav"));
        Assert.False(underDefault is AudioRejectedException { Code: ErrorCodes.TooLong }, underDefault?.Message);
    }

    [Fact]
    public async Task An_mp3_past_the_call_limit_is_too_long_without_decoding_all_of_it()
    {
        var mp3 = TestTranscoder.Transcode(TestWavWriter.Write(TestSignals.Syllables(130)), ".mp3", "-c:a", "libmp3lame", "-b:a", "32k");

        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(mp3, "long.mp3", TwoMinuteCalls)).Code);
    }

    [Fact]
    public async Task Maximum_call_duration_is_configurable()
    {
        var options = new AnalysisOptions { MaxCallDuration = TimeSpan.FromSeconds(2) };
        var flac = TestTranscoder.Transcode(SpeechWav(3), ".flac", "-c:a", "flac");

        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(SpeechWav(3), "long.wav", options)).Code);
        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(flac, "long.flac", options)).Code);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]   // the stand-in decoder is a shell script
    public async Task A_decode_that_outlasts_the_timeout_is_killed_and_rejected()
    {
        // A decoder that never finishes, so the timeout is the only way out whatever the machine's speed.
        using var folder = new TempFolder("stuck-ffmpeg-");
        var stuckDecoder = folder.Write("ffmpeg", Encoding.ASCII.GetBytes("#!/bin/sh\nexec sleep 600\n"));
        File.SetUnixFileMode(stuckDecoder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var options = new AnalysisOptions { DecodeTimeout = TimeSpan.FromMilliseconds(200), FfmpegPath = stuckDecoder };
        var opus = TestTranscoder.Transcode(SpeechWav(3), ".opus", "-c:a", "libopus");

        var rejection = await RejectedAsync(opus, "slow.opus", options);

        Assert.Equal(ErrorCodes.CorruptAudio, rejection.Code);
        Assert.Contains("within", rejection.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_rejection()
    {
        var mp3 = TestTranscoder.Transcode(SpeechWav(60), ".mp3", "-c:a", "libmp3lame");
        var opus = TestTranscoder.Transcode(SpeechWav(60), ".opus", "-c:a", "libopus");

        // Both decoding paths: managed (NLayer) and ffmpeg.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => AnalyzeAsync(mp3, "speech.mp3", cancellationToken: new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => AnalyzeAsync(opus, "speech.opus", cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task A_missing_ffmpeg_is_a_deployment_error_not_a_rejection()
    {
        var options = new AnalysisOptions { FfmpegPath = "/nonexistent/ffmpeg" };
        var opus = TestTranscoder.Transcode(SpeechWav(), ".opus", "-c:a", "libopus");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AnalyzeAsync(opus, "speech.opus", options));
        Assert.Contains("FfmpegPath", error.Message);
    }
}
