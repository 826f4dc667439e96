using SpeechEmotion.Cli.Corpora;
using SpeechEmotion.TestSupport.Files;

namespace SpeechEmotion.Cli.Tests;

/// <summary>The four layouts on generated (empty) files named exactly as the real downloads name them.</summary>
public sealed class CorpusReaderTests : IDisposable
{
    private readonly TempFolder folder = new("cli-tests-");

    public void Dispose() => folder.Dispose();

    private IReadOnlyList<(string Speaker, string Label, string File)> Read(string corpus = CorpusReader.Auto) =>
        CorpusReader.Read(folder.Root, corpus)
            .Select(clip => (clip.QualifiedSpeaker, clip.Label, Path.GetRelativePath(folder.Root, clip.Path).Replace('\\', '/')))
            .ToList();

    [Fact]
    public void Ravdess_speech_clips_with_calm_as_neutral_song_and_strangers_left_out_duplicates_once()
    {
        folder.Write("Actor_07/03-01-05-02-01-02-07.wav");   // angry
        folder.Write("Actor_07/03-01-02-01-01-01-07.flac");  // calm -> neutral, any audio extension
        folder.Write("Actor_07/03-01-08-01-01-01-07.wav");   // surprised
        folder.Write("Actor_07/03-02-05-01-01-01-07.wav");   // channel 02: song, not speech
        folder.Write("Actor_07/03-01-09-01-01-01-07.wav");   // no emotion 09
        folder.Write("Actor_07/notes.txt");
        // Kaggle's archive holds the actors twice: the second copy is the same clip.
        folder.Write("audio_speech_actors_01-24/Actor_07/03-01-05-02-01-02-07.wav");

        Assert.Equal(
            [
                ("ravdess:07", "neutral", "Actor_07/03-01-02-01-01-01-07.flac"),
                ("ravdess:07", "angry", "Actor_07/03-01-05-02-01-02-07.wav"),
                ("ravdess:07", "surprised", "Actor_07/03-01-08-01-01-01-07.wav"),
            ],
            Read(CorpusReader.Ravdess));
    }

    [Fact]
    public void Crema_d_names_in_either_case_and_unknown_emotions_left_out()
    {
        folder.Write("AudioWAV/1001_DFA_ANG_XX.wav");
        folder.Write("AudioWAV/1091_ieo_sad_lo.wav");
        folder.Write("AudioWAV/1002_DFA_NEU_XX.mp3");
        folder.Write("AudioWAV/1002_DFA_SUR_XX.wav");         // CREMA-D has no surprise
        folder.Write("AudioWAV/1002_DFA_HAP.wav");            // no intensity field

        Assert.Equal(
            [
                ("crema-d:1001", "angry", "AudioWAV/1001_DFA_ANG_XX.wav"),
                ("crema-d:1002", "neutral", "AudioWAV/1002_DFA_NEU_XX.mp3"),
                ("crema-d:1091", "sad", "AudioWAV/1091_ieo_sad_lo.wav"),
            ],
            Read(CorpusReader.CremaD));
    }

    [Fact]
    public void Tess_folder_spellings_of_both_speakers_and_the_misnamed_file()
    {
        folder.Write("TESS Toronto emotional speech set data/OAF_Fear/OAF_food_fear.wav");
        folder.Write("TESS Toronto emotional speech set data/YAF_fear/YAF_neat_fear.wav");
        folder.Write("TESS Toronto emotional speech set data/OAF_Pleasant_surprise/OAF_back_ps.wav");
        folder.Write("TESS Toronto emotional speech set data/YAF_pleasant_surprised/YAF_dog_ps.wav");
        folder.Write("TESS Toronto emotional speech set data/OAF_neutral/OA_bite_neutral.wav"); // speaker from the folder
        folder.Write("TESS Toronto emotional speech set data/OAF_Sad/OAF_back_sad.wav");
        folder.Write("TESS Toronto emotional speech set data/YAF_disgust/YAF_back_disgust.wav");
        folder.Write("TESS Toronto emotional speech set data/YAF_angry/YAF_back_angry.wav");
        folder.Write("TESS Toronto emotional speech set data/YAF_happy/YAF_back_happy.wav");
        folder.Write("tess toronto emotional speech set data/YAF_happy/YAF_back_happy.wav"); // second copy
        folder.Write("TESS Toronto emotional speech set data/OAF_bored/OAF_back_bored.wav");   // not an emotion we know

        var clips = Read(CorpusReader.Tess);

        Assert.Equal(9, clips.Count);
        Assert.Contains(("tess:OAF", "fearful", "TESS Toronto emotional speech set data/OAF_Fear/OAF_food_fear.wav"), clips);
        Assert.Contains(("tess:YAF", "fearful", "TESS Toronto emotional speech set data/YAF_fear/YAF_neat_fear.wav"), clips);
        Assert.Contains(("tess:OAF", "surprised", "TESS Toronto emotional speech set data/OAF_Pleasant_surprise/OAF_back_ps.wav"), clips);
        Assert.Contains(("tess:YAF", "surprised", "TESS Toronto emotional speech set data/YAF_pleasant_surprised/YAF_dog_ps.wav"), clips);
        Assert.Contains(("tess:OAF", "neutral", "TESS Toronto emotional speech set data/OAF_neutral/OA_bite_neutral.wav"), clips);
        Assert.Contains(("tess:OAF", "sad", "TESS Toronto emotional speech set data/OAF_Sad/OAF_back_sad.wav"), clips);
        Assert.Contains(("tess:YAF", "disgust", "TESS Toronto emotional speech set data/YAF_disgust/YAF_back_disgust.wav"), clips);
        Assert.Contains(("tess:YAF", "angry", "TESS Toronto emotional speech set data/YAF_angry/YAF_back_angry.wav"), clips);
        Assert.Single(clips, clip => clip.Label == "happy");
    }

    [Fact]
    public void Savee_flat_kaggle_layout()
    {
        folder.Write("ALL/DC_a01.wav");
        folder.Write("ALL/JE_sa03.flac");
        folder.Write("ALL/KL_su15.wav");
        folder.Write("ALL/JK_n30.wav");
        folder.Write("ALL/DC_d02.wav");
        folder.Write("ALL/DC_f02.wav");
        folder.Write("ALL/DC_h02.wav");
        folder.Write("ALL/XY_a01.wav"); // not a SAVEE speaker

        Assert.Equal(
            [
                ("savee:DC", "angry", "ALL/DC_a01.wav"),
                ("savee:DC", "disgust", "ALL/DC_d02.wav"),
                ("savee:DC", "fearful", "ALL/DC_f02.wav"),
                ("savee:DC", "happy", "ALL/DC_h02.wav"),
                ("savee:JE", "sad", "ALL/JE_sa03.flac"),
                ("savee:JK", "neutral", "ALL/JK_n30.wav"),
                ("savee:KL", "surprised", "ALL/KL_su15.wav"),
            ],
            Read(CorpusReader.Savee));
    }

    [Fact]
    public void Savee_nested_surrey_layout_and_a_clip_in_both_layouts_counted_once()
    {
        folder.Write("AudioData/DC/a01.wav");
        folder.Write("AudioData/JE/sa01.wav");
        folder.Write("AudioData/KL/su02.wav");
        folder.Write("AudioData/Info/a01.wav"); // not a speaker folder
        folder.Write("ALL/DC_a01.wav");          // the same recording as AudioData/DC/a01

        Assert.Equal(
            [
                ("savee:DC", "angry", "ALL/DC_a01.wav"),
                ("savee:JE", "sad", "AudioData/JE/sa01.wav"),
                ("savee:KL", "surprised", "AudioData/KL/su02.wav"),
            ],
            Read(CorpusReader.Savee));
    }

    [Fact]
    public void Auto_reads_every_corpus_in_the_folder_and_a_named_corpus_only_its_own()
    {
        folder.Write("ravdess/Actor_01/03-01-01-01-01-01-01.wav");
        folder.Write("crema/AudioWAV/1001_DFA_ANG_XX.wav");
        folder.Write("tess/OAF_angry/OAF_back_angry.wav");
        folder.Write("savee/ALL/DC_a01.wav");

        Assert.Equal(["crema-d:1001", "ravdess:01", "savee:DC", "tess:OAF"], Read().Select(clip => clip.Speaker).Order());
        Assert.Equal(["tess:OAF"], Read(CorpusReader.Tess).Select(clip => clip.Speaker));
    }

    [Fact]
    public void A_missing_folder_or_unknown_corpus_is_an_error()
    {
        Assert.Throws<DirectoryNotFoundException>(() => CorpusReader.Read(Path.Combine(folder.Root, "nope")));
        Assert.Throws<ArgumentException>(() => CorpusReader.Read(folder.Root, "emodb"));
    }
}
