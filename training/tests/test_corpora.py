"""The four Kaggle layouts, read from generated files named like the real ones, and the speaker split."""
from collections import Counter

import numpy as np
import pytest
import soundfile as sf

import corpora


def touch_audio(path, seconds=0.1, rate=16000, fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.zeros(int(seconds * rate), dtype=np.float32), rate, format=fmt)


def test_ravdess_maps_calm_to_neutral_skips_song_and_reads_gender(tmp_path):
    for name in ["03-01-01-01-01-01-01", "03-01-02-02-01-01-01", "03-01-05-01-02-02-02", "03-01-08-02-02-01-02",
                 "03-02-03-01-01-01-01"]:  # the last is song
        touch_audio(tmp_path / ("Actor_01" if name.endswith("01") else "Actor_02") / f"{name}.wav")
    touch_audio(tmp_path / "Actor_01" / "notes.wav")  # not a RAVDESS name
    clips = {c.path.split("/")[-1]: c for c in corpora.read_ravdess(tmp_path)}
    assert set(clips) == {"03-01-01-01-01-01-01.wav", "03-01-02-02-01-01-01.wav", "03-01-05-01-02-02-02.wav",
                          "03-01-08-02-02-01-02.wav"}
    assert clips["03-01-02-02-01-01-01.wav"].label == "neutral"  # calm
    assert clips["03-01-05-01-02-02-02.wav"].label == "angry"
    assert clips["03-01-08-02-02-01-02.wav"].label == "surprised"
    assert clips["03-01-01-01-01-01-01.wav"].speaker == "ravdess:01"
    assert clips["03-01-01-01-01-01-01.wav"].gender == "male"
    assert clips["03-01-05-01-02-02-02.wav"].gender == "female"


def test_ravdess_duplicate_folder_of_the_kaggle_archive_is_counted_once(tmp_path):
    touch_audio(tmp_path / "Actor_03" / "03-01-04-01-01-01-03.wav")
    touch_audio(tmp_path / "audio_speech_actors_01-24" / "Actor_03" / "03-01-04-01-01-01-03.wav")
    assert len(corpora.read_ravdess(tmp_path)) == 1


def test_cremad_labels_and_gender_from_demographics(tmp_path):
    for name in ["1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_ITS_NEU_XX", "1091_WSI_dis_lo", "1002_TIE_FEA_MD",
                 "1003_MTI_SAD_XX"]:
        touch_audio(tmp_path / "AudioWAV" / f"{name}.wav")
    (tmp_path / "AudioWAV" / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n")
    clips = {c.path.split("/")[-1][:-4]: c for c in corpora.read_cremad(tmp_path / "AudioWAV")}
    assert {k: c.label for k, c in clips.items()} == {
        "1001_DFA_ANG_XX": "angry", "1001_IEO_HAP_HI": "happy", "1002_ITS_NEU_XX": "neutral",
        "1091_WSI_dis_lo": "disgust", "1002_TIE_FEA_MD": "fearful", "1003_MTI_SAD_XX": "sad"}
    assert clips["1001_DFA_ANG_XX"].gender == "male"
    assert clips["1002_ITS_NEU_XX"].gender == "female"
    assert clips["1003_MTI_SAD_XX"].gender == "unknown"  # not in the demographics file
    assert clips["1091_WSI_dis_lo"].speaker == "crema-d:1091"


def test_tess_both_folder_spellings_and_the_oddly_named_file(tmp_path):
    root = tmp_path / "TESS Toronto emotional speech set data"
    files = {"OAF_Fear/OAF_food_fear.wav": "fearful", "YAF_fear/YAF_neat_fear.wav": "fearful",
             "OAF_Pleasant_surprise/OAF_dog_ps.wav": "surprised",
             "YAF_pleasant_surprised/YAF_dog_ps.wav": "surprised", "OAF_neutral/OA_bite_neutral.wav": "neutral",
             "YAF_angry/YAF_back_angry.wav": "angry", "OAF_disgust/OAF_back_disgust.wav": "disgust",
             "YAF_happy/YAF_back_happy.wav": "happy", "OAF_Sad/OAF_back_sad.wav": "sad"}
    for name in files:
        touch_audio(root / name)
    # Kaggle's TESS holds AIFF data named .wav: the reader must not care.
    touch_audio(root / "YAF_angry" / "YAF_germ_angry.wav", fmt="AIFF")
    clips = {c.path.split(str(root) + "/")[1]: c for c in corpora.read_tess(tmp_path)}
    assert {k: clips[k].label for k in files} == files
    assert clips["OAF_neutral/OA_bite_neutral.wav"].speaker == "tess:OAF"
    assert clips["YAF_angry/YAF_germ_angry.wav"].label == "angry"
    assert {c.speaker for c in clips.values()} == {"tess:OAF", "tess:YAF"}


def test_savee_kaggle_and_surrey_layouts(tmp_path):
    for name in ["DC_a01", "DC_sa15", "JE_su03", "JK_n30", "KL_d02", "KL_f07", "KL_h11"]:
        touch_audio(tmp_path / "kaggle" / "ALL" / f"{name}.wav")
    for name in ["a01", "sa02", "su01", "n30"]:
        touch_audio(tmp_path / "surrey" / "AudioData" / "DC" / f"{name}.wav")
    touch_audio(tmp_path / "surrey" / "AudioData" / "XX" / "a01.wav")  # not a SAVEE speaker
    kaggle = {c.path.split("/")[-1][:-4]: (c.speaker, c.label) for c in corpora.read_savee(tmp_path / "kaggle")}
    assert kaggle == {"DC_a01": ("savee:DC", "angry"), "DC_sa15": ("savee:DC", "sad"),
                      "JE_su03": ("savee:JE", "surprised"), "JK_n30": ("savee:JK", "neutral"),
                      "KL_d02": ("savee:KL", "disgust"), "KL_f07": ("savee:KL", "fearful"),
                      "KL_h11": ("savee:KL", "happy")}
    surrey = sorted((c.speaker, c.label) for c in corpora.read_savee(tmp_path / "surrey"))
    assert surrey == [("savee:DC", "angry"), ("savee:DC", "neutral"), ("savee:DC", "sad"), ("savee:DC", "surprised")]


def test_flac_files_are_read_like_wav(tmp_path):
    touch_audio(tmp_path / "Actor_05" / "03-01-06-01-01-01-05.flac")
    assert [c.label for c in corpora.read_ravdess(tmp_path)] == ["fearful"]


def fake_clips(corpus, speakers, genders):
    return [corpora.Clip(f"/{corpus}/{s}/{i}.wav", corpus, f"{corpus}:{s}", g, "neutral")
            for s, g in zip(speakers, genders) for i in range(3)]


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_split_puts_every_speaker_on_exactly_one_side(seed):
    clips = (fake_clips("ravdess", [f"{i:02d}" for i in range(1, 21)], ["male", "female"] * 10)
             + fake_clips("tess", ["OAF", "YAF"], ["female"] * 2)
             + fake_clips("savee", ["DC", "JE", "JK", "KL"], ["male"] * 4)
             + fake_clips("crema-d", [str(1001 + i) for i in range(91)], ["unknown"] * 91))
    sides = corpora.split_speakers(clips, seed=seed)
    assert set(sides) == {c.speaker for c in clips}
    per_corpus = Counter((s.split(":")[0], side) for s, side in sides.items())
    assert per_corpus[("ravdess", "test")] == 4 and per_corpus[("ravdess", "validation")] == 2
    assert per_corpus[("tess", "test")] == 1 and per_corpus[("tess", "train")] == 1  # one of two held out
    assert per_corpus[("savee", "test")] == 1
    assert per_corpus[("crema-d", "test")] == 18
    ravdess_test = [s for s, side in sides.items() if side == "test" and s.startswith("ravdess")]
    genders = Counter("male" if int(s.split(":")[1]) % 2 else "female" for s in ravdess_test)
    assert genders == {"male": 2, "female": 2}  # balanced by gender


def test_split_is_reproducible_from_the_seed():
    clips = fake_clips("ravdess", [f"{i:02d}" for i in range(1, 21)], ["male", "female"] * 10)
    assert corpora.split_speakers(clips, seed=7) == corpora.split_speakers(clips, seed=7)
    assert corpora.split_speakers(clips, seed=7) != corpora.split_speakers(clips, seed=8)
