using SpeechEmotion.Analysis.Formats;
using SpeechEmotion.Contracts.Errors;

namespace SpeechEmotion.Analysis.Tests.Formats;

public sealed class AudioFormatSnifferTests
{
    private static byte[] Header(params byte[] start) => [.. start, .. new byte[16]];

    public static TheoryData<string, byte[], string> Matching() => new()
    {
        { "a.wav", Header([.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8]), nameof(AudioFormat.Wav) },
        { "a.WAV", Header([.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8]), nameof(AudioFormat.Wav) },
        { "a.mp3", Header([.. "ID3"u8, 4, 0]), nameof(AudioFormat.Mp3) },
        { "a.mp3", Header(0xFF, 0xFB, 0x90, 0x64), nameof(AudioFormat.Mp3) },
        { "a.ogg", Header([.. "OggS"u8]), nameof(AudioFormat.Ogg) },
        { "a.opus", Header([.. "OggS"u8]), nameof(AudioFormat.Ogg) },
        { "a.flac", Header([.. "fLaC"u8]), nameof(AudioFormat.Flac) },
        { "a.m4a", Header([0, 0, 0, 0x20, .. "ftypM4A "u8]), nameof(AudioFormat.Mp4) },
        { "a.aac", Header(0xFF, 0xF1, 0x50, 0x80), nameof(AudioFormat.Adts) },
        { "a.webm", Header(0x1A, 0x45, 0xDF, 0xA3), nameof(AudioFormat.WebM) },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void Accepts_content_that_matches_the_extension(string fileName, byte[] header, string format) =>
        Assert.Equal(Enum.Parse<AudioFormat>(format), AudioFormatSniffer.Detect(fileName, header));

    public static TheoryData<string, byte[]> Mismatched() => new()
    {
        { "a.wav", Header([.. "RIFF"u8, 0, 0, 0, 0, .. "AVI "u8]) },
        { "a.mp3", Header(0xFF, 0xF1, 0x50, 0x80) }, // ADTS AAC is not MP3
        { "a.aac", Header(0xFF, 0xFB, 0x90, 0x64) }, // nor MP3 AAC
        { "a.ogg", Header([.. "fLaC"u8]) },
        { "a.m4a", Header([.. "OggS"u8]) },
        { "a.webm", Header([.. "RIFF"u8]) },
    };

    [Theory]
    [MemberData(nameof(Mismatched))]
    public void Refuses_content_that_does_not_match_the_extension(string fileName, byte[] header) =>
        Assert.Equal(ErrorCodes.UnsupportedFormat, Assert.Throws<AudioRejectedException>(() => AudioFormatSniffer.Detect(fileName, header)).Code);
}
