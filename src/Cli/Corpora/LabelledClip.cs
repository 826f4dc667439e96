namespace SpeechEmotion.Cli.Corpora;

/// <summary>
/// One recording of a labelled corpus: where it is, whose voice it is and the emotion it was acted in, already
/// mapped onto the product's seven labels.
/// </summary>
/// <param name="Speaker">The corpus's own speaker id: "07" (RAVDESS), "1001" (CREMA-D), "OAF" (TESS), "DC" (SAVEE).</param>
public sealed record LabelledClip(string Path, string Corpus, string Speaker, string Label)
{
    /// <summary>The speaker with the corpus prefixed, unique across corpora, as training's split names them.</summary>
    public string QualifiedSpeaker => $"{Corpus}:{Speaker}";
}
