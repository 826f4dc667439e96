using SpeechEmotion.Analysis.Decoding;
using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Analysis.Tests.Support;

namespace SpeechEmotion.Analysis.Tests.Decoding;

/// <summary>The managed WAV decoder must produce the very samples ffmpeg does, for every shape it takes.</summary>
public sealed class WavDecodingTests
{
    [Theory]
    [InlineData("pcm_u8", 1, 22050)]
    [InlineData("pcm_s16le", 2, 16000)]
    [InlineData("pcm_s24le", 2, 48000)]
    [InlineData("pcm_s32le", 1, 44100)]
    [InlineData("pcm_f32le", 2, 16000)]
    [InlineData("pcm_f64le", 1, 8000)]
    [InlineData("pcm_mulaw", 2, 8000)]
    [InlineData("pcm_alaw", 1, 8000)]
    public async Task Managed_decoder_equals_ffmpeg_at_the_source_rate(string codec, int channels, int sampleRate)
    {
        var left = TestSignals.Concat(TestSignals.Syllables(0.6, sampleRate), TestSignals.WhiteNoise(0.4, 0.4f, sampleRate: sampleRate));
        var right = TestSignals.Tone(1, sampleRate, amplitude: 0.7f);
        var source = channels == 1 ? TestWavWriter.Write(left, sampleRate) : TestWavWriter.WriteStereo(left, right, sampleRate);
        var wav = TestTranscoder.Transcode(source, ".wav", "-c:a", codec);

        var (header, _) = await WavHeaderReader.ReadAsync(new MemoryStream(wav), CancellationToken.None);
        Assert.True(header.IsManaged);
        var stream = new MemoryStream(wav);
        await WavHeaderReader.ReadAsync(stream, CancellationToken.None);
        var managed = new WavPcmSource(stream, header);
        var planar = new[] { new float[sampleRate * 2], new float[sampleRate * 2] };
        var chunk = new[] { new float[1000], new float[1000] };
        var frames = 0;
        int read;
        while ((read = await managed.ReadAsync(chunk, chunk[0].Length, CancellationToken.None)) > 0)
        {
            chunk[0].AsSpan(0, read).CopyTo(planar[0].AsSpan(frames));
            chunk[1].AsSpan(0, read).CopyTo(planar[1].AsSpan(frames));
            frames += read;
        }
        var ffmpeg = TestTranscoder.DecodeInterleaved(wav, ".wav");

        Assert.Equal(codec, managed.Facts.Codec);
        Assert.Equal(ffmpeg.Length / channels, frames);
        for (var i = 0; i < ffmpeg.Length; i++)
        {
            Assert.True(Math.Abs(ffmpeg[i] - planar[i % channels][i / channels]) <= 1e-7, $"sample {i}: {planar[i % channels][i / channels]} vs ffmpeg {ffmpeg[i]}");
        }
    }

    [Theory]
    [InlineData(44100, 3, 16, 1)]
    [InlineData(8000, 1, 4, 0x11)] // IMA ADPCM
    [InlineData(8000, 1, 0, 0x31)] // GSM 6.10
    public void Other_shapes_are_left_to_ffmpeg(int sampleRate, int channels, int bits, int formatTag)
    {
        var header = new WavHeader((ushort)formatTag, channels, sampleRate, bits, 65, 44, 64000);

        Assert.False(header.IsManaged);
    }

    [Fact]
    public async Task Reads_the_data_chunk_after_other_chunks()
    {
        var wav = TestWavWriter.Write(TestSignals.Tone(0.5));
        // Insert a LIST chunk of odd length (padded to even) between fmt and data, as many recorders do.
        byte[] list = [.. "LIST"u8, 3, 0, 0, 0, 1, 2, 3, 0];
        var withList = wav[..36].Concat(list).Concat(wav[36..]).ToArray();

        var (header, consumed) = await WavHeaderReader.ReadAsync(new MemoryStream(withList), CancellationToken.None);

        Assert.Equal(36 + list.Length + 8, header.DataOffset);
        Assert.Equal(withList[..(int)header.DataOffset], consumed);
        var plain = await DecodingHelpers.DecodeAllAsync(new MemoryStream(wav), AudioFormat.Wav);
        var listed = await DecodingHelpers.DecodeAllAsync(new MemoryStream(withList), AudioFormat.Wav);
        Assert.Equal(plain.Channels[0], listed.Channels[0]);
    }

    [Fact]
    public void G711_tables_match_the_standard_at_known_points()
    {
        // ITU-T G.711: μ-law 0xFF and 0x7F are the two zeros, 0x00 the most negative (-32124); A-law 0xD5 is +8, 0x2A -32256.
        Assert.Equal(0f, G711.MuLaw[0xFF]);
        Assert.Equal(-32124 / 32768f, G711.MuLaw[0x00]);
        Assert.Equal(32124 / 32768f, G711.MuLaw[0x80]);
        Assert.Equal(8 / 32768f, G711.ALaw[0xD5]);
        Assert.Equal(-32256 / 32768f, G711.ALaw[0x2A]);
    }
}
