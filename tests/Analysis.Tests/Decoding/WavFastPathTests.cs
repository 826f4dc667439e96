using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Tests.Support;
using SpeechEmotion.Analysis.Validation;

namespace SpeechEmotion.Analysis.Tests.Decoding;

/// <summary>The managed WAV path must feed the model the very samples ffmpeg would.</summary>
public sealed class WavFastPathTests
{
    private static readonly AnalysisOptions Options = new();

    [Theory]
    [InlineData(1, WavEncoding.Pcm16)]
    [InlineData(2, WavEncoding.Pcm16)]
    [InlineData(1, WavEncoding.Float32)]
    [InlineData(2, WavEncoding.Float32)]
    public async Task Managed_reader_equals_ffmpeg(int channels, WavEncoding encoding)
    {
        var left = TestSignals.Concat(TestSignals.Syllables(1.5), TestSignals.WhiteNoise(0.5, 0.2f));
        var right = TestSignals.Concat(TestSignals.WhiteNoise(0.5, 0.3f, seed: 11), TestSignals.Tone(1.5, amplitude: 0.7f));
        var wav = channels == 1 ? TestWavWriter.Write(left, encoding: encoding) : TestWavWriter.WriteStereo(left, right, encoding: encoding);

        var header = WavReader.ReadHeader(wav);
        Assert.True(header.IsManagedFastPath);
        var managed = WavReader.DecodeSamples(wav, header);
        var ffmpeg = await new FfmpegDecoder(Options, new DurationLimits(Options)).DecodeAsync(wav, AudioFormat.Wav, CancellationToken.None);

        Assert.Equal(ffmpeg.Samples.Length, managed.Length);
        var largestDifference = managed.Zip(ffmpeg.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largestDifference <= 1e-4, $"largest difference {largestDifference}");
    }

    [Theory]
    [InlineData(44100, 1, 16, 1)]
    [InlineData(16000, 3, 16, 1)]
    [InlineData(16000, 1, 24, 1)]
    [InlineData(16000, 1, 8, 1)]
    [InlineData(16000, 1, 64, 3)]
    public void Other_shapes_are_left_to_ffmpeg(int sampleRate, int channels, int bits, int formatTag)
    {
        var header = new WavHeader((ushort)formatTag, channels, sampleRate, bits, channels * bits / 8, 44, 64000);

        Assert.False(header.IsManagedFastPath);
    }

    [Fact]
    public void Reads_the_data_chunk_after_other_chunks()
    {
        var wav = TestWavWriter.Write(TestSignals.Tone(0.5));
        // Insert a LIST chunk of odd length (padded to even) between fmt and data, as many recorders do.
        byte[] list = [.. "LIST"u8, 3, 0, 0, 0, 1, 2, 3, 0];
        var withList = wav[..36].Concat(list).Concat(wav[36..]).ToArray();

        var header = WavReader.ReadHeader(withList);

        Assert.Equal(36 + list.Length + 8, header.DataOffset);
        Assert.Equal(WavReader.DecodeSamples(wav, WavReader.ReadHeader(wav)), WavReader.DecodeSamples(withList, header));
    }
}
