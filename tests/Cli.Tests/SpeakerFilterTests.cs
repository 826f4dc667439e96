using SpeechEmotion.Cli.Corpora;

namespace SpeechEmotion.Cli.Tests;

public sealed class SpeakerFilterTests
{
    private static LabelledClip Clip(string corpus, string speaker) => new($"/x/{speaker}.wav", corpus, speaker, "neutral");

    private static string[] Matching(string filter, params LabelledClip[] clips) =>
        clips.Where(SpeakerFilter.Parse(filter).Matches).Select(clip => clip.QualifiedSpeaker).Order().ToArray();

    [Fact]
    public void A_range_takes_the_numbers_at_both_ends_and_between()
    {
        var actors = Enumerable.Range(15, 8).Select(n => Clip("ravdess", n.ToString("00"))).ToArray();

        Assert.Equal(["ravdess:17", "ravdess:18", "ravdess:19", "ravdess:20"], Matching("17-20", actors));
    }

    [Fact]
    public void Numbers_compare_as_numbers_so_1_is_actor_01_but_not_crema_d_1001()
    {
        LabelledClip[] clips = [Clip("ravdess", "01"), Clip("ravdess", "03"), Clip("ravdess", "10"), Clip("crema-d", "1001")];

        Assert.Equal(["ravdess:01", "ravdess:03"], Matching("1,3,14,20", clips));
        Assert.Equal(["crema-d:1001"], Matching("1001", clips));
    }

    [Fact]
    public void Names_ignore_case_and_a_corpus_prefix_narrows_a_term()
    {
        LabelledClip[] clips = [Clip("savee", "DC"), Clip("savee", "JE"), Clip("savee", "KL"), Clip("tess", "OAF"), Clip("ravdess", "02"), Clip("crema-d", "0002")];

        Assert.Equal(["savee:DC", "savee:JE"], Matching("dc, JE", clips));
        Assert.Equal(["tess:OAF"], Matching("OAF", clips));
        Assert.Equal(["ravdess:02", "tess:OAF"], Matching("ravdess:1-4,tess:oaf", clips));
    }

    [Fact]
    public void Everyone_passes_without_a_filter() =>
        Assert.True(SpeakerFilter.All.Matches(Clip("tess", "YAF")));

    [Theory]
    [InlineData("")]
    [InlineData("DC,,JE")]
    [InlineData("17-")]
    [InlineData("20-17")]
    [InlineData("a-b")]
    [InlineData("DC JE")]
    public void Malformed_filters_are_refused(string filter) =>
        Assert.Throws<FormatException>(() => SpeakerFilter.Parse(filter));
}
