using System.Text.RegularExpressions;
using SpeechEmotion.Contracts.Emotions;

namespace SpeechEmotion.Cli.Corpora;

/// <summary>
/// Finds the labelled clips of the four supported corpora in a folder, as users download them (Kaggle) or as their
/// authors released them. The same rules as training/corpora.py, oddities included, so a folder reads the same
/// here as in training: RAVDESS "calm" is neutral, TESS "ps" is surprised, TESS folder spellings differ by speaker,
/// SAVEE comes flat (ALL/DC_a01) or nested (AudioData/DC/a01), and archives holding a corpus twice count each clip
/// once. Files are recognised by name, whatever their audio extension.
/// </summary>
public static partial class CorpusReader
{
    public const string Auto = "auto";
    public const string Ravdess = "ravdess";
    public const string CremaD = "crema-d";
    public const string Tess = "tess";
    public const string Savee = "savee";

    public static IReadOnlyList<string> Corpora { get; } = [Ravdess, CremaD, Tess, Savee];

    /// <summary>The extensions looked at; the service itself decides later whether it can decode the content.</summary>
    public static IReadOnlySet<string> AudioExtensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".webm", ".aif", ".aiff",
    };

    /// <summary>How one corpus names its files: a clip or null for a file that is not one of its clips, and the key
    /// under which two copies of the same recording are the same clip.</summary>
    private sealed record Layout(Func<string, LabelledClip?> Recognise, Func<LabelledClip, string> DuplicateKey);

    private static readonly Dictionary<string, Layout> Layouts = new()
    {
        [Ravdess] = new(RecogniseRavdess, clip => StemOf(clip)),
        [CremaD] = new(RecogniseCremaD, clip => StemOf(clip).ToUpperInvariant()),
        [Tess] = new(RecogniseTess, clip => $"{clip.Speaker}/{StemOf(clip).ToLowerInvariant()}"),
        [Savee] = new(RecogniseSavee, clip => $"{clip.Speaker}/{StemOf(clip).Split('_')[^1]}"),
    };

    /// <summary>
    /// Every clip of <paramref name="corpus"/> under <paramref name="folder"/>, or of all four corpora for
    /// <see cref="Auto"/> (their naming rules never overlap, so a folder holding several corpora reads as their union).
    /// Ordered by path.
    /// </summary>
    public static IReadOnlyList<LabelledClip> Read(string folder, string corpus = Auto)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder '{folder}' does not exist.");
        }

        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(path => AudioExtensions.Contains(Path.GetExtension(path)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var corpora = corpus == Auto ? Corpora : [LayoutName(corpus)];
        return corpora.SelectMany(name => ReadLayout(files, Layouts[name])).ToList();
    }

    private static string LayoutName(string corpus) =>
        Layouts.ContainsKey(corpus)
            ? corpus
            : throw new ArgumentException($"Unknown corpus '{corpus}'; expected {Auto} or one of {string.Join(", ", Corpora)}.");

    private static IEnumerable<LabelledClip> ReadLayout(IEnumerable<string> files, Layout layout)
    {
        var seen = new HashSet<string>();
        foreach (var file in files)
        {
            if (layout.Recognise(file) is { } clip && seen.Add(layout.DuplicateKey(clip)))
            {
                yield return clip;
            }
        }
    }

    // --- RAVDESS: Actor_07/03-01-05-02-01-02-07.wav = modality-channel-EMOTION-intensity-statement-repetition-ACTOR
    private static readonly Dictionary<string, string> RavdessEmotions = new()
    {
        ["01"] = EmotionLabels.Neutral, ["02"] = EmotionLabels.Neutral, // 02 is "calm": the product has no calm
        ["03"] = EmotionLabels.Happy, ["04"] = EmotionLabels.Sad, ["05"] = EmotionLabels.Angry,
        ["06"] = EmotionLabels.Fearful, ["07"] = EmotionLabels.Disgust, ["08"] = EmotionLabels.Surprised,
    };

    [GeneratedRegex(@"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")]
    private static partial Regex RavdessName();

    private static LabelledClip? RecogniseRavdess(string path)
    {
        var match = RavdessName().Match(Path.GetFileNameWithoutExtension(path));
        // Channel 02 is song, not speech.
        if (!match.Success || match.Groups[2].Value != "01" || !RavdessEmotions.TryGetValue(match.Groups[3].Value, out var label))
        {
            return null;
        }

        return new LabelledClip(path, Ravdess, match.Groups[7].Value, label);
    }

    // --- CREMA-D: AudioWAV/1001_DFA_ANG_XX.wav = ACTOR_sentence_EMOTION_intensity (no surprise in CREMA-D)
    private static readonly Dictionary<string, string> CremaDEmotions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ANG"] = EmotionLabels.Angry, ["DIS"] = EmotionLabels.Disgust, ["FEA"] = EmotionLabels.Fearful,
        ["HAP"] = EmotionLabels.Happy, ["NEU"] = EmotionLabels.Neutral, ["SAD"] = EmotionLabels.Sad,
    };

    [GeneratedRegex(@"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex CremaDName();

    private static LabelledClip? RecogniseCremaD(string path)
    {
        var match = CremaDName().Match(Path.GetFileNameWithoutExtension(path));
        return match.Success && CremaDEmotions.TryGetValue(match.Groups[3].Value, out var label)
            ? new LabelledClip(path, CremaD, match.Groups[1].Value, label)
            : null;
    }

    // --- TESS: OAF_Fear/OAF_food_fear.wav, YAF_pleasant_surprised/YAF_dog_ps.wav: the folder says speaker and emotion
    [GeneratedRegex(@"^(OAF|YAF)_(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TessFolder();

    /// <summary>Matched on the word, not the exact folder name: `OAF_Fear` / `YAF_fear`, `OAF_Pleasant_surprise` /
    /// `YAF_pleasant_surprised`. Order matters: "pleasant_surprise" must not be read as anything else.</summary>
    private static readonly (string Word, string Label)[] TessWords =
    [
        ("surprise", EmotionLabels.Surprised), ("fear", EmotionLabels.Fearful), ("angry", EmotionLabels.Angry),
        ("disgust", EmotionLabels.Disgust), ("happy", EmotionLabels.Happy), ("neutral", EmotionLabels.Neutral),
        ("sad", EmotionLabels.Sad),
    ];

    private static LabelledClip? RecogniseTess(string path)
    {
        var folder = TessFolder().Match(Path.GetFileName(Path.GetDirectoryName(path)) ?? "");
        if (!folder.Success)
        {
            return null;
        }

        var words = folder.Groups[2].Value.ToLowerInvariant();
        var label = words == "ps" ? EmotionLabels.Surprised : TessWords.FirstOrDefault(entry => words.Contains(entry.Word)).Label;
        // The speaker comes from the folder: one file is named `OA_bite_neutral` inside OAF_neutral.
        return label is null ? null : new LabelledClip(path, Tess, folder.Groups[1].Value.ToUpperInvariant(), label);
    }

    // --- SAVEE: ALL/DC_a01.wav (Kaggle) or AudioData/DC/a01.wav (Surrey release)
    private static readonly Dictionary<string, string> SaveeEmotions = new()
    {
        ["a"] = EmotionLabels.Angry, ["d"] = EmotionLabels.Disgust, ["f"] = EmotionLabels.Fearful,
        ["h"] = EmotionLabels.Happy, ["n"] = EmotionLabels.Neutral, ["sa"] = EmotionLabels.Sad,
        ["su"] = EmotionLabels.Surprised,
    };

    private static readonly HashSet<string> SaveeSpeakers = ["DC", "JE", "JK", "KL"];

    [GeneratedRegex(@"^([A-Za-z]{2})_(sa|su|a|d|f|h|n)(\d+)$")]
    private static partial Regex SaveeFlatName();

    [GeneratedRegex(@"^(sa|su|a|d|f|h|n)(\d+)$")]
    private static partial Regex SaveeNestedName();

    private static LabelledClip? RecogniseSavee(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        string speaker, code;
        if (SaveeFlatName().Match(stem) is { Success: true } flat)
        {
            (speaker, code) = (flat.Groups[1].Value.ToUpperInvariant(), flat.Groups[2].Value);
        }
        else if (SaveeNestedName().Match(stem) is { Success: true } nested)
        {
            (speaker, code) = ((Path.GetFileName(Path.GetDirectoryName(path)) ?? "").ToUpperInvariant(), nested.Groups[1].Value);
        }
        else
        {
            return null;
        }

        return SaveeSpeakers.Contains(speaker) ? new LabelledClip(path, Savee, speaker, SaveeEmotions[code]) : null;
    }

    private static string StemOf(LabelledClip clip) => Path.GetFileNameWithoutExtension(clip.Path);
}
