using SpeechEmotion.Api.Uploads;

namespace SpeechEmotion.Service.Tests.Api;

/// <summary>File names and content types as stored: no control characters, at most 255 characters, extension kept.</summary>
public sealed class ClientTextTests
{
    [Fact]
    public void A_long_name_is_cut_in_its_stem_and_keeps_its_extension()
    {
        var name = ClientText.FileName(new string('n', 400) + ".flac");

        Assert.Equal(ClientText.MaxLength, name.Length);
        Assert.EndsWith("n.flac", name);
    }

    [Fact]
    public void A_cut_never_leaves_half_a_surrogate_pair()
    {
        // 250 letters then emoji (2 UTF-16 units each): the cut at 251 falls inside the first one.
        var name = ClientText.FileName(new string('n', 250) + string.Concat(Enumerable.Repeat("😀", 10)) + ".wav");

        Assert.EndsWith("n.wav", name);
        Assert.DoesNotContain(name, char.IsSurrogate);
    }

    [Fact]
    public void An_overlong_extension_is_no_format_hint_and_is_cut_with_the_rest()
    {
        var name = ClientText.FileName("clip." + new string('x', 300));

        Assert.Equal(ClientText.MaxLength, name.Length);
        Assert.StartsWith("clip.", name);
    }

    [Theory]
    [InlineData("call\r\nFAKE.wav", "call__FAKE.wav")]
    [InlineData("nul\0.wav", "nul_.wav")]
    [InlineData("folder/sub\\clip.wav", "clip.wav")]
    [InlineData("  ", "upload")]
    [InlineData(null, "upload")]
    public void Control_characters_become_underscores_and_paths_are_dropped(string? clientName, string stored) =>
        Assert.Equal(stored, ClientText.FileName(clientName));

    [Fact]
    public void A_content_type_is_cleaned_and_cut_too() =>
        Assert.Equal("audio/wav_" + new string('x', 245), ClientText.ShortText("audio/wav\0" + new string('x', 300)));
}
