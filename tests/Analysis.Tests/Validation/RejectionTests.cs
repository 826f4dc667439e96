using System.Text;
using SpeechEmotion.Analysis.Preprocessing;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Tests.Validation;

/// <summary>Every kind of bad upload gets its stable code and a message, and nothing else escapes.</summary>
public sealed class RejectionTests
{
    private static async Task<AudioRejectedException> RejectedAsync(byte[] upload, string fileName, AnalysisOptions? options = null)
    {
        var preparer = new RecordingPreparer(options ?? new AnalysisOptions());
        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(
            () => preparer.PrepareAsync(new MemoryStream(upload), fileName, CancellationToken.None));
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
        var accepted = await new RecordingPreparer(new AnalysisOptions()).PrepareAsync(new MemoryStream(quietTone), "quiet.wav", CancellationToken.None);
        Assert.Equal(16000, accepted.ModelInput.Count);
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
    public async Task A_130_second_wav_is_too_long() =>
        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(SpeechWav(130), "long.wav")).Code);

    [Fact]
    public async Task A_130_second_mp3_is_too_long_without_decoding_all_of_it()
    {
        var mp3 = TestTranscoder.Transcode(TestWavWriter.Write(TestSignals.Syllables(130)), ".mp3", "-c:a", "libmp3lame", "-b:a", "32k");

        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(mp3, "long.mp3")).Code);
    }

    [Fact]
    public async Task Maximum_duration_is_configurable()
    {
        var options = new AnalysisOptions { MaxDuration = TimeSpan.FromSeconds(2) };
        var flac = TestTranscoder.Transcode(SpeechWav(3), ".flac", "-c:a", "flac");

        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(SpeechWav(3), "long.wav", options)).Code);
        Assert.Equal(ErrorCodes.TooLong, (await RejectedAsync(flac, "long.flac", options)).Code);
    }

    [Fact]
    public async Task A_decode_that_outlasts_the_timeout_is_killed_and_rejected()
    {
        var options = new AnalysisOptions { DecodeTimeout = TimeSpan.FromMilliseconds(1) };
        var opus = TestTranscoder.Transcode(SpeechWav(60), ".opus", "-c:a", "libopus");

        var rejection = await RejectedAsync(opus, "slow.opus", options);

        Assert.Equal(ErrorCodes.CorruptAudio, rejection.Code);
        Assert.Contains("within", rejection.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_rejection()
    {
        var mp3 = TestTranscoder.Transcode(SpeechWav(60), ".mp3", "-c:a", "libmp3lame");
        var opus = TestTranscoder.Transcode(SpeechWav(60), ".opus", "-c:a", "libopus");
        var preparer = new RecordingPreparer(new AnalysisOptions());

        // Both decoding paths: managed (NLayer) and ffmpeg.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => preparer.PrepareAsync(new MemoryStream(mp3), "speech.mp3", new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => preparer.PrepareAsync(new MemoryStream(opus), "speech.opus", new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task A_missing_ffmpeg_is_a_deployment_error_not_a_rejection()
    {
        var options = new AnalysisOptions { FfmpegPath = "/nonexistent/ffmpeg" };
        var opus = TestTranscoder.Transcode(SpeechWav(), ".opus", "-c:a", "libopus");
        var preparer = new RecordingPreparer(options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => preparer.PrepareAsync(new MemoryStream(opus), "speech.opus", CancellationToken.None));
        Assert.Contains("FfmpegPath", error.Message);
    }
}
