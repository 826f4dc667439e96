using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Decoding;

/// <summary>
/// Every accepted format comes out of <see cref="AudioDecoder"/> as 16 kHz mono of the original's duration, with the
/// original's facts (the service's <see cref="Calls.CallAnalyzer"/> reads through the same <see cref="RecordingReader"/>).
/// </summary>
public sealed class AcceptedFormatTests
{
    private const double Seconds = 2.0;

    public static TheoryData<string, string, int, int, string[]> Formats() => new()
    {
        // file name, WAV encoding of the source, source rate, source channels, ffmpeg encoder arguments ([] = send the WAV itself)
        { "pcm16-16k-mono.wav", "pcm16", 16000, 1, [] },
        { "pcm16-16k-stereo.wav", "pcm16", 16000, 2, [] },
        { "float32-16k-mono.wav", "float32", 16000, 1, [] },
        { "pcm16-44k-stereo.wav", "pcm16", 44100, 2, [] },
        { "pcm8-22k-mono.wav", "pcm16", 22050, 1, ["-c:a", "pcm_u8"] },
        { "pcm24-48k-stereo.wav", "pcm16", 48000, 2, ["-c:a", "pcm_s24le"] },
        { "pcm32-48k-mono.wav", "pcm16", 48000, 1, ["-c:a", "pcm_s32le"] },
        { "float64-16k-mono.wav", "pcm16", 16000, 1, ["-c:a", "pcm_f64le"] },
        { "mulaw-8k-mono.wav", "pcm16", 8000, 1, ["-c:a", "pcm_mulaw"] },
        { "alaw-8k-mono.wav", "pcm16", 8000, 1, ["-c:a", "pcm_alaw"] },
        { "speech.mp3", "pcm16", 44100, 2, ["-c:a", "libmp3lame", "-b:a", "128k"] },
        { "speech.ogg", "pcm16", 44100, 1, ["-c:a", "libvorbis"] },
        { "speech.opus", "pcm16", 48000, 1, ["-c:a", "libopus", "-b:a", "32k"] },
        { "speech.flac", "pcm16", 44100, 2, ["-c:a", "flac"] },
        { "speech.m4a", "pcm16", 44100, 2, ["-c:a", "aac", "-b:a", "96k"] },
        { "speech.aac", "pcm16", 44100, 1, ["-c:a", "aac", "-b:a", "96k", "-f", "adts"] },
        { "speech.webm", "pcm16", 48000, 2, ["-c:a", "libopus", "-b:a", "32k"] },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Decodes_to_16_kHz_mono_of_the_original_duration(
        string fileName, string wavEncoding, int sampleRate, int channels, string[] encoderArguments)
    {
        var source = TestSignals.Syllables(Seconds, sampleRate);
        var wav = TestWavWriter.Write(source, sampleRate, channels, wavEncoding == "float32" ? WavEncoding.Float32 : WavEncoding.Pcm16);
        var upload = encoderArguments.Length == 0 ? wav : TestTranscoder.Transcode(wav, Path.GetExtension(fileName), encoderArguments);

        var decoded = await new AudioDecoder(new AnalysisOptions()).DecodeAsync(new MemoryStream(upload), fileName, CancellationToken.None);

        // Lossy codecs add priming and frame padding: raw ADTS cannot say how much, so ffmpeg keeps ~43 ms of it.
        Assert.InRange(decoded.Facts.DurationSeconds, Seconds - 0.05, Seconds + 0.05);
        Assert.Equal(sampleRate, decoded.Facts.SampleRate);
        Assert.Equal(channels, decoded.Facts.Channels);
        // 16 kHz mono: the same seconds at 16000 samples each.
        Assert.InRange(decoded.Samples.Length, (Seconds - 0.06) * 16000, (Seconds + 0.06) * 16000);
        // The signal survived (same level: channels are averaged, not summed), allowing for codec and companding loss.
        var expectedRms = TestSignals.Rms(source);
        Assert.InRange(TestSignals.Rms(decoded.Samples), expectedRms * 0.8, expectedRms * 1.2);
    }

    [Fact]
    public async Task The_whole_recording_is_decoded_silent_ends_included_and_text_is_refused()
    {
        var wav = TestWavWriter.Write(TestSignals.Concat(TestSignals.Silence(0.3), TestSignals.Syllables(2.4), TestSignals.Silence(0.3)));
        var decoder = new AudioDecoder(new AnalysisOptions());

        var decoded = await decoder.DecodeAsync(new MemoryStream(wav), "speech.wav", CancellationToken.None);

        // 0.3 + 2.4 + 0.3 s at 16 kHz: decoding never trims.
        Assert.Equal(48000, decoded.Samples.Length);
        Assert.Equal(0f, decoded.Samples[100]);
        Assert.Equal(0f, decoded.Samples[^100]);
        var rejection = await Assert.ThrowsAsync<AudioRejectedException>(() =>
            decoder.DecodeAsync(new MemoryStream("not audio at all"u8.ToArray()), "notes.wav", CancellationToken.None));
        Assert.Equal("unsupported_format", rejection.Code);
    }
}
