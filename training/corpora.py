"""Readers for the four emotional-speech corpora, as users download them from Kaggle, and the speaker split.

Each reader walks a folder and yields `Clip(path, corpus, speaker, gender, label)`. Labels are the product's seven
emotions (see LABELS); corpus-specific classes are mapped onto them (RAVDESS "calm" -> neutral, TESS "ps" ->
surprised). Speakers are prefixed with the corpus name so two corpora never share a speaker id.
"""
import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

LABELS = ["neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust"]
AUDIO_EXTENSIONS = {".wav", ".flac", ".ogg", ".aif", ".aiff", ".mp3"}


@dataclass(frozen=True)
class Clip:
    path: str
    corpus: str
    speaker: str
    gender: str  # "male", "female" or "unknown"
    label: str


def _audio_files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)


def _first_seen(clips, key):
    """Kaggle archives often hold the same corpus twice (e.g. RAVDESS's `audio_speech_actors_01-24/` beside the
    `Actor_XX/` folders): keep the first copy of each recording so no clip is counted, or split, twice."""
    seen = set()
    for clip in clips:
        k = key(clip)
        if k not in seen:
            seen.add(k)
            yield clip


# --- RAVDESS: Actor_XX/03-01-EE-II-SS-RR-AA.wav -------------------------------------------------------------
RAVDESS_EMOTIONS = {"01": "neutral", "02": "neutral", "03": "happy", "04": "sad", "05": "angry",
                    "06": "fearful", "07": "disgust", "08": "surprised"}  # 02 is "calm": the product has no calm
RAVDESS_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")


def is_ravdess_calm(path):
    """RAVDESS's "calm" (emotion 02), which the product hears as neutral: `crossval.py run --without-calm` trains without it."""
    m = RAVDESS_NAME.match(Path(path).stem)
    return bool(m) and m.group(3) == "02"


def read_ravdess(root):
    def clips():
        for path in _audio_files(root):
            m = RAVDESS_NAME.match(path.stem)
            if not m:
                continue
            modality, channel, emotion, _, _, _, actor = m.groups()
            if channel != "01" or emotion not in RAVDESS_EMOTIONS:  # 02 = song
                continue
            gender = "male" if int(actor) % 2 == 1 else "female"  # odd actors are male
            yield Clip(str(path), "ravdess", f"ravdess:{actor}", gender, RAVDESS_EMOTIONS[emotion])
    return list(_first_seen(clips(), key=lambda c: Path(c.path).stem))


# --- CREMA-D: AudioWAV/1001_DFA_ANG_XX.wav ---------------------------------------------------------------
CREMAD_EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral",
                   "SAD": "sad"}
CREMAD_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$", re.IGNORECASE)


def _cremad_genders(root):
    """CREMA-D ships VideoDemographics.csv (ActorID, Age, Sex, ...); Kaggle copies often leave it out."""
    for candidate in [Path(root) / "VideoDemographics.csv", Path(root).parent / "VideoDemographics.csv"]:
        if candidate.exists():
            with open(candidate, newline="") as f:
                return {row["ActorID"]: row["Sex"].strip().lower() for row in csv.DictReader(f)}
    return {}


def read_cremad(root):
    genders = _cremad_genders(root)

    def clips():
        for path in _audio_files(root):
            m = CREMAD_NAME.match(path.stem)
            if not m or m.group(3).upper() not in CREMAD_EMOTIONS:
                continue
            actor = m.group(1)
            gender = genders.get(actor, "unknown")
            yield Clip(str(path), "crema-d", f"crema-d:{actor}", gender, CREMAD_EMOTIONS[m.group(3).upper()])
    return list(_first_seen(clips(), key=lambda c: Path(c.path).stem.upper()))


# --- TESS: OAF_angry/OAF_back_angry.wav, YAF_pleasant_surprised/YAF_dog_ps.wav ---------------------------
TESS_FOLDER = re.compile(r"^(OAF|YAF)_(.+)$", re.IGNORECASE)


def _tess_label(emotion_words):
    """Folder spellings differ between the two speakers (`OAF_Fear` / `YAF_fear`, `OAF_Pleasant_surprise` /
    `YAF_pleasant_surprised`), so match on the word, not the exact name."""
    words = emotion_words.lower()
    for key, label in [("surprise", "surprised"), ("ps", "surprised"), ("fear", "fearful"), ("angry", "angry"),
                       ("disgust", "disgust"), ("happy", "happy"), ("neutral", "neutral"), ("sad", "sad")]:
        if key == "ps" and words != "ps":
            continue
        if key in words:
            return label
    return None


def read_tess(root):
    def clips():
        for path in _audio_files(root):
            folder = TESS_FOLDER.match(path.parent.name)
            if not folder:
                continue
            label = _tess_label(folder.group(2))
            if label is None:
                continue
            # The speaker comes from the folder: one file is named `OA_bite_neutral` inside OAF_neutral.
            speaker = folder.group(1).upper()
            yield Clip(str(path), "tess", f"tess:{speaker}", "female", label)
    return list(_first_seen(clips(), key=lambda c: (c.speaker, Path(c.path).stem.lower())))


# --- SAVEE: ALL/DC_a01.wav (Kaggle) or AudioData/DC/a01.wav (Surrey release) ------------------------------
SAVEE_EMOTIONS = {"a": "angry", "d": "disgust", "f": "fearful", "h": "happy", "n": "neutral", "sa": "sad",
                  "su": "surprised"}
SAVEE_SPEAKERS = {"DC", "JE", "JK", "KL"}
SAVEE_FLAT_NAME = re.compile(r"^([A-Za-z]{2})_(sa|su|a|d|f|h|n)(\d+)$")
SAVEE_NESTED_NAME = re.compile(r"^(sa|su|a|d|f|h|n)(\d+)$")


def _savee_clip(path):
    flat = SAVEE_FLAT_NAME.match(path.stem)
    if flat:
        speaker, code = flat.group(1).upper(), flat.group(2)
    else:
        nested = SAVEE_NESTED_NAME.match(path.stem)
        if not nested:
            return None
        speaker, code = path.parent.name.upper(), nested.group(1)
    if speaker not in SAVEE_SPEAKERS:
        return None
    return Clip(str(path), "savee", f"savee:{speaker}", "male", SAVEE_EMOTIONS[code])


def read_savee(root):
    clips = (c for c in map(_savee_clip, _audio_files(root)) if c is not None)
    return list(_first_seen(clips, key=lambda c: (c.speaker, Path(c.path).stem.split("_")[-1])))


READERS = {"ravdess": read_ravdess, "crema-d": read_cremad, "tess": read_tess, "savee": read_savee}


# --- Speaker split -------------------------------------------------------------------------------------------
def _take_balanced(speakers_by_gender, count, rng):
    """Take `count` speakers, alternating between genders (largest group first), so both are represented."""
    pools = {g: list(s) for g, s in speakers_by_gender.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    taken = []
    while len(taken) < count:
        order = sorted((g for g in pools if pools[g]), key=lambda g: (-len(pools[g]), g))
        if not order:
            break
        taken.append(pools[order[0]].pop())
    return taken


def split_speakers(clips, seed, test_fraction=0.2, validation_fraction=0.15, min_train_for_validation=5):
    """Assign every speaker to exactly one of train / validation / test, per corpus, gender-balanced.

    Test: round(20 %) of each corpus's speakers, at least one (TESS's two speakers: one held out). Validation
    (for early stopping, model selection and calibration) is carved out of the training side only where enough
    speakers remain to train on. Returns {speaker: side}.
    """
    rng = random.Random(seed)
    sides = {}
    for corpus in sorted({c.corpus for c in clips}):
        gender_of = {c.speaker: c.gender for c in clips if c.corpus == corpus}
        by_gender = {}
        for speaker in sorted(gender_of):
            by_gender.setdefault(gender_of[speaker], []).append(speaker)
        n = len(gender_of)
        n_test = max(1, round(test_fraction * n)) if n > 1 else 0
        test = _take_balanced(by_gender, n_test, rng)
        rest = {g: [s for s in ss if s not in test] for g, ss in by_gender.items()}
        n_rest = n - len(test)
        n_val = int(validation_fraction * n_rest) if n_rest >= min_train_for_validation else 0
        validation = _take_balanced(rest, n_val, rng)
        for speaker in gender_of:
            sides[speaker] = "test" if speaker in test else "validation" if speaker in validation else "train"
    return sides
