using SpeechEmotion.Analysis.Decoding;

namespace SpeechEmotion.Analysis.Tests.Decoding;

public sealed class FfmpegInputDescriptionTests
{
    [Theory]
    [InlineData("  Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s", 44100, 2)]
    [InlineData("  Stream #0:0(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, mono, fltp, 96 kb/s (default)", 48000, 1)]
    [InlineData("  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 22050 Hz, 3 channels, s16, 1058 kb/s", 22050, 3)]
    [InlineData("  Stream #0:1: Audio: flac, 96000 Hz, 5.1(side), s32 (24 bit)", 96000, 6)]
    [InlineData("  Stream #0:0: Video: h264, yuv420p\n  Stream #0:1: Audio: opus, 48000 Hz, quad, fltp", 48000, 4)]
    public void Reads_rate_and_channels_of_the_input_audio_stream(string log, int sampleRate, int channels)
    {
        var description = FfmpegInputDescription.Parse("Input #0, x, from 'pipe:0':\n" + log + "\nOutput #0, f32le, to 'pipe:1':\n  Stream #0:0: Audio: pcm_f32le, 16000 Hz, mono, flt");

        Assert.Equal((sampleRate, channels), description);
    }
}
