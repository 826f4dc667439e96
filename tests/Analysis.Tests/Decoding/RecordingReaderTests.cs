using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Decoding;

/// <summary>
/// Call-centre formats, generated here by ffmpeg from a stereo recording with speech-like sound on the left and
/// silence on the right: each comes out at 16 kHz with its channels, its duration, and its channels apart.
/// </summary>
public sealed class RecordingReaderTests
{
    private const double Seconds = 3.0;

    public static TheoryData<string, int, int, string, int, double, string[]> Formats() => new()
    {
        // file name, source rate, channels, expected codec, rate ffmpeg reports, duration tolerance (s), encoder arguments
        { "mulaw-8k-stereo.wav", 8000, 2, "pcm_mulaw", 8000, 0.001, ["-c:a", "pcm_mulaw"] },
        { "mulaw-8k-mono.wav", 8000, 1, "pcm_mulaw", 8000, 0.001, ["-c:a", "pcm_mulaw"] },
        { "alaw-8k-stereo.wav", 8000, 2, "pcm_alaw", 8000, 0.001, ["-c:a", "pcm_alaw"] },
        { "pcm16-11k-stereo.wav", 11025, 2, "pcm_s16le", 11025, 0.001, ["-c:a", "pcm_s16le"] },
        { "pcm16-48k-stereo.wav", 48000, 2, "pcm_s16le", 48000, 0.001, ["-c:a", "pcm_s16le"] },
        { "pcm24-32k-mono.wav", 32000, 1, "pcm_s24le", 32000, 0.001, ["-c:a", "pcm_s24le"] },
        { "gsm-8k-mono.wav", 8000, 1, "gsm_ms", 8000, 0.05, ["-c:a", "libgsm_ms"] },
        // NLayer keeps the encoder's delay and padding (measured: +0.168 s at 8 kHz, +0.03 s at 44.1 kHz): see the README.
        { "call-8k-stereo.mp3", 8000, 2, "mp3", 8000, 0.2, ["-c:a", "libmp3lame", "-b:a", "32k"] },
        { "call-16k-mono.mp3", 16000, 1, "mp3", 16000, 0.2, ["-c:a", "libmp3lame", "-b:a", "32k"] },
        { "call-44k-stereo.mp3", 44100, 2, "mp3", 44100, 0.06, ["-c:a", "libmp3lame", "-b:a", "64k"] },
        // Opus decodes at 48 kHz whatever went in, so that is the rate ffmpeg reports.
        { "call-8k-stereo.opus", 8000, 2, "opus", 48000, 0.03, ["-c:a", "libopus", "-b:a", "32k"] },
        { "call-48k-mono.ogg", 48000, 1, "opus", 48000, 0.03, ["-c:a", "libopus", "-b:a", "24k"] },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Decodes_to_16_kHz_keeping_channels_duration_and_separation(
        string fileName, int sampleRate, int channels, string codec, int reportedRate, double tolerance, string[] encoderArguments)
    {
        var speech = TestSignals.Syllables(Seconds, sampleRate, amplitude: 0.5f);
        var wav = channels == 1
            ? TestWavWriter.Write(speech, sampleRate)
            : TestWavWriter.WriteStereo(speech, TestSignals.Silence(Seconds, sampleRate), sampleRate);
        var file = TestTranscoder.Transcode(wav, Path.GetExtension(fileName), encoderArguments);
        var format = AudioFormatSniffer.Detect(fileName, file);

        var (source, decoded) = await DecodingHelpers.DecodeAllAsync(new MemoryStream(file), format);

        Assert.Equal((codec, reportedRate, channels), (source.Codec, source.SampleRate, source.Channels));
        Assert.Equal(channels, decoded.Length);
        Assert.InRange(decoded[0].Length / 16000.0, Seconds - tolerance, Seconds + tolerance);
        var speechDbfs = DecodingHelpers.RmsDbfs(speech);
        Assert.InRange(DecodingHelpers.RmsDbfs(decoded[0]), speechDbfs - 2, speechDbfs + 1);
        if (channels == 2)
        {
            // The silent customer stays silent: nothing of the agent leaks across (lossy joint stereo included).
            Assert.True(DecodingHelpers.RmsDbfs(decoded[1]) < speechDbfs - 40, $"right channel at {DecodingHelpers.RmsDbfs(decoded[1]):F1} dBFS");
        }
    }

    [Theory]
    [InlineData("call.wav", new[] { "-c:a", "pcm_mulaw" })]
    [InlineData("call.mp3", new[] { "-c:a", "libmp3lame", "-b:a", "32k" })]
    [InlineData("call.opus", new[] { "-c:a", "libopus" })]
    public async Task Mix_averages_the_channels_into_one(string fileName, string[] encoderArguments)
    {
        var left = TestSignals.Tone(2, 8000, frequency: 300, amplitude: 0.4f);
        var right = TestSignals.Tone(2, 8000, frequency: 700, amplitude: 0.4f);
        var file = TestTranscoder.Transcode(TestWavWriter.WriteStereo(left, right, 8000), Path.GetExtension(fileName), encoderArguments);
        var format = AudioFormatSniffer.Detect(fileName, file);

        var split = await DecodingHelpers.DecodeAllAsync(new MemoryStream(file), format);
        var mixed = await DecodingHelpers.DecodeAllAsync(new MemoryStream(file), format, ChannelMode.Mix);

        Assert.Single(mixed.Channels);
        var average = split.Channels[0].Zip(split.Channels[1], (l, r) => (l * 0.5f) + (r * 0.5f)).ToArray();
        Assert.Equal(average.Length, mixed.Channels[0].Length);
        Assert.True(average.Zip(mixed.Channels[0], (a, b) => Math.Abs(a - b)).Max() < 1e-5);
    }

    [Fact]
    public async Task A_forward_only_stream_decodes_like_a_file()
    {
        var wav = TestTranscoder.Transcode(TestWavWriter.WriteStereo(TestSignals.Syllables(2, 8000), TestSignals.Tone(2, 8000), 8000), ".wav", "-c:a", "pcm_alaw");
        var path = Path.Combine(Path.GetTempPath(), $"reader-test-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, wav);
        try
        {
            await using var reader = await RecordingReader.OpenFileAsync(path, new RecordingReaderOptions(), CancellationToken.None);
            var fromFile = reader.CreateBlock(64000);
            await reader.ReadAsync(fromFile, CancellationToken.None);
            var streamed = await DecodingHelpers.DecodeAllAsync(new ForwardOnlyStream(wav), AudioFormat.Wav, blockFrames: 333);

            Assert.Equal(32000, fromFile.Frames);
            Assert.Equal(streamed.Channels[0], fromFile.Channel(0).ToArray());
            Assert.Equal(streamed.Channels[1], fromFile.Channel(1).ToArray());
            Assert.Equal(TimeSpan.FromSeconds(2), reader.Source.Duration);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_non_managed_wav_from_a_forward_only_stream_reaches_ffmpeg_whole()
    {
        // GSM is ffmpeg's: the header bytes the managed reader consumed must be handed over too.
        var gsm = TestTranscoder.Transcode(TestWavWriter.Write(TestSignals.Syllables(2, 8000), 8000), ".wav", "-c:a", "libgsm_ms");

        var (source, channels) = await DecodingHelpers.DecodeAllAsync(new ForwardOnlyStream(gsm), AudioFormat.Wav);

        Assert.Equal("gsm_ms", source.Codec);
        Assert.InRange(channels[0].Length / 16000.0, 1.95, 2.05);
    }

    [Fact]
    public async Task Blocks_carry_their_position()
    {
        var wav = TestWavWriter.Write(TestSignals.Tone(1.1, 8000), 8000);
        await using var reader = await RecordingReader.OpenAsync(new MemoryStream(wav), AudioFormat.Wav, new RecordingReaderOptions(), CancellationToken.None);
        var block = reader.CreateBlock(8000);
        var starts = new List<(long, int)>();
        while (await reader.ReadAsync(block, CancellationToken.None))
        {
            starts.Add((block.StartFrame, block.Frames));
        }

        Assert.Equal([(0L, 8000), (8000L, 8000), (16000L, 1600)], starts);
        Assert.Equal(17600, reader.FramesRead);
    }

    [Fact]
    public async Task A_stalled_ffmpeg_is_killed_and_the_recording_refused()
    {
        var opus = TestTranscoder.Transcode(TestWavWriter.Write(TestSignals.Syllables(5)), ".opus", "-c:a", "libopus");
        var options = new RecordingReaderOptions { StallTimeout = TimeSpan.FromMilliseconds(1) };

        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(
            () => RecordingReader.OpenAsync(new MemoryStream(opus), AudioFormat.Ogg, options, CancellationToken.None));

        Assert.Equal(Contracts.Errors.ErrorCodes.CorruptAudio, rejection.Code);
        Assert.Contains("stalled", rejection.Message);
    }

    [Fact]
    public async Task Stopping_early_ends_the_ffmpeg_process_without_waiting_for_the_rest()
    {
        var opus = TestTranscoder.Transcode(TestWavWriter.Write(TestSignals.Syllables(120)), ".opus", "-c:a", "libopus");
        var reader = await RecordingReader.OpenAsync(new MemoryStream(opus), AudioFormat.Ogg, new RecordingReaderOptions(), CancellationToken.None);
        var block = reader.CreateBlock(16000);

        Assert.True(await reader.ReadAsync(block, CancellationToken.None));
        Assert.Equal(16000, block.Frames);
        var disposal = reader.DisposeAsync().AsTask();

        Assert.Same(disposal, await Task.WhenAny(disposal, Task.Delay(TimeSpan.FromSeconds(10))));
        await disposal;
    }

    /// <summary>What a network stream from the recording store looks like: no seeking, no length.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1000)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
