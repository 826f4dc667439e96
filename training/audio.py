"""Waveform-level processing shared by training and evaluation: loading, silence trimming, the telephone channel
and the training-only augmentations. Everything works on 16 kHz mono float32 numpy arrays in [-1, 1]."""
from math import gcd

import numpy as np
from scipy import signal

SAMPLE_RATE = 16000


def load(path):
    """Decode by content (libsndfile sniffs the header: some TESS '.wav' files are really AIFF), down-mix, resample."""
    import soundfile as sf  # here, so the rest of this module runs where libsndfile is absent (training/crossval.py)
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    wave = data.mean(axis=1)
    return resample(wave, rate)


def resample(wave, rate):
    if rate == SAMPLE_RATE:
        return wave.astype(np.float32)
    g = gcd(rate, SAMPLE_RATE)
    up, down = SAMPLE_RATE // g, rate // g
    if max(up, down) <= 1000:  # polyphase for simple ratios (48k, 44.1k, 96k, 8k)
        return signal.resample_poly(wave, up, down).astype(np.float32)
    # Odd rates such as TESS's 24414 Hz would need a huge polyphase filter: resample in the frequency domain.
    return signal.resample(wave, int(round(len(wave) * SAMPLE_RATE / rate))).astype(np.float32)


# --- Silence trimming: the rule in docs/design.md, implemented identically by the C# service -----------------
TRIM_FRAME = 320          # 20 ms
TRIM_RELATIVE_DB = -40.0  # a frame is voiced when within 40 dB of the loudest frame...
TRIM_FLOOR = 1e-7         # ...and above -70 dBFS (mean square), so pure digital silence never counts
TRIM_MARGIN_FRAMES = 2    # keep 40 ms either side so onsets and releases are not clipped


def frame_powers(wave):
    """Mean square of each whole 20-ms frame (a trailing partial frame is left out)."""
    n_frames = len(wave) // TRIM_FRAME
    return (wave[: n_frames * TRIM_FRAME].reshape(n_frames, TRIM_FRAME).astype(np.float64) ** 2).mean(axis=1)


def speech_level_dbfs(wave):
    """How loud the speech of a recording is: the mean power of its loudest third of 20-ms frames, in dB relative to
    full scale (a full-scale square wave is 0 dBFS, the service's convention for noise levels)."""
    power = np.sort(frame_powers(wave))
    if len(power) == 0:
        raise ValueError("a speech level needs at least one 20-ms frame")
    return float(10 * np.log10(power[-max(1, len(power) // 3):].mean() + 1e-20))


def trim_silence(wave):
    """Cut leading and trailing silence. Returns an empty array when no frame is voiced."""
    n_frames = len(wave) // TRIM_FRAME
    if n_frames == 0:
        return wave[:0]
    energy = frame_powers(wave)
    threshold = max(energy.max() * 10 ** (TRIM_RELATIVE_DB / 10), TRIM_FLOOR)
    voiced = np.flatnonzero(energy >= threshold)
    if len(voiced) == 0:
        return wave[:0]
    first = max(voiced[0] - TRIM_MARGIN_FRAMES, 0)
    last = min(voiced[-1] + TRIM_MARGIN_FRAMES, n_frames - 1)
    return wave[first * TRIM_FRAME: min((last + 1) * TRIM_FRAME, len(wave))]


# --- Telephone channel: what a call centre hears -----------------------------------------------------------
_TELEPHONE_BAND = signal.butter(4, [300, 3400], btype="bandpass", fs=SAMPLE_RATE, output="sos")
MU = 255.0


def mulaw_roundtrip(x):
    """G.711 mu-law companding with 8-bit codes (continuous mu-law curve, mu = 255)."""
    x = np.clip(x, -1.0, 1.0)
    compressed = np.sign(x) * np.log1p(MU * np.abs(x)) / np.log1p(MU)
    codes = np.round((compressed + 1) / 2 * 255)  # 256 levels
    compressed = codes / 255 * 2 - 1
    return np.sign(compressed) * ((1 + MU) ** np.abs(compressed) - 1) / MU


def telephone(wave):
    """300-3400 Hz band, 8 kHz sampling, 8-bit mu-law, then back to 16 kHz as a service would receive it."""
    band = signal.sosfilt(_TELEPHONE_BAND, wave)
    narrow = signal.resample_poly(band, 1, 2)
    narrow = mulaw_roundtrip(narrow)
    return signal.resample_poly(narrow, 2, 1)[: len(wave)].astype(np.float32)


# --- Training-only augmentation -----------------------------------------------------------------------------
# Every training example is built the way production audio arrives: a piece of speech (possibly cut mid-word) at a
# random level, placed at a random position inside a longer stretch of silence, under a noise floor, often through
# a phone line. Probabilities are per training example and per epoch; they are documented in the model card.
AUGMENTATION = {
    "speed": 0.3,         # speed perturbation x0.9-1.1 (changes tempo and pitch together)
    "whole_piece": 0.5,   # else a random crop of 1 s up to the example length (starts and ends mid-word)
    "noise_floor": 0.8,   # white, pink or brown noise under everything at -70..-35 dBFS
    "snr_noise": 0.2,     # busy room on top: noise at 5-25 dB SNR to the speech
    "telephone": 0.5,     # the whole example through 300-3400 Hz, 8 kHz, G.711 mu-law
}
NOISE_FLOOR_DBFS = (-70.0, -35.0)
SPEECH_PEAK_DBFS = (-30.0, -1.0)


def speed_perturb(wave, factor):
    positions = np.arange(0, len(wave) - 1, factor)
    return np.interp(positions, np.arange(len(wave)), wave).astype(np.float32)


def coloured_noise(length, rng):
    """Unit-RMS white, pink-ish or brown-ish noise (rooms and lines are rarely white)."""
    noise = rng.standard_normal(length)
    colour = rng.integers(0, 3)
    if colour == 1:
        noise = signal.lfilter([1.0], [1.0, -0.95], noise)
    elif colour == 2:
        noise = signal.lfilter([1.0], [1.0, -0.995], noise)
        noise -= signal.lfilter([0.01], [1.0, -0.99], noise)  # remove the slow drift
    return (noise / (np.sqrt(np.mean(noise ** 2)) + 1e-12)).astype(np.float32)


def add_noise_floor(wave, dbfs, rng):
    return wave + coloured_noise(len(wave), rng) * np.float32(10 ** (dbfs / 20))


def add_noise(wave, snr_db, rng):
    power = float(np.mean(wave ** 2)) + 1e-12
    return wave + coloured_noise(len(wave), rng) * np.float32(np.sqrt(power / 10 ** (snr_db / 10)))


def random_piece(wave, length, rng, whole=False):
    """The whole clip (or a crop of `length` when longer), or a random crop of 1 s up to `length`."""
    longest = min(len(wave), length)
    size = longest if whole else int(rng.integers(min(SAMPLE_RATE, longest), longest + 1))
    start = int(rng.integers(0, len(wave) - size + 1))
    return wave[start: start + size]


def place(piece, length, rng):
    """The piece at a random position inside `length` samples of silence, and where it starts."""
    out = np.zeros(length, dtype=np.float32)
    start = int(rng.integers(0, length - len(piece) + 1))
    out[start: start + len(piece)] = piece
    return out, start


def augment(speech, length, rng):
    """One production-like training example of exactly `length` samples from a trimmed speech clip."""
    return augment_with_span(speech, length, rng)[0]


def augment_with_span(speech, length, rng, speech_peak_dbfs=SPEECH_PEAK_DBFS):
    """`augment`, also returning where the speech lies in the example: (example, start, end) in samples."""
    wave = speech
    if rng.random() < AUGMENTATION["speed"]:
        wave = speed_perturb(wave, rng.uniform(0.9, 1.1))
    piece = random_piece(wave, length, rng, whole=rng.random() < AUGMENTATION["whole_piece"])
    piece = piece / (np.abs(piece).max() + 1e-9) * 10 ** (rng.uniform(*speech_peak_dbfs) / 20)
    example, start = place(piece.astype(np.float32), length, rng)
    if rng.random() < AUGMENTATION["snr_noise"]:
        example = add_noise(example, rng.uniform(5, 25), rng)
    if rng.random() < AUGMENTATION["noise_floor"]:
        example = add_noise_floor(example, rng.uniform(*NOISE_FLOOR_DBFS), rng)
    if rng.random() < AUGMENTATION["telephone"]:
        example = telephone(example)
    return np.clip(example, -1, 1).astype(np.float32), start, start + len(piece)


# --- Evaluation variations: what the service meets, fixed per clip so every model is scored on the same audio ----
VARIATIONS = ("clean", "telephone", "padded_quiet", "padded_noisy", "raw")


def variation(name, trimmed, raw, seed):
    """`clean`: the trimmed clip; `telephone`: it through a phone line; `padded_quiet`: 1.5 s of room noise before
    and after and a floor near -65 dBFS under it; `padded_noisy`: 0.5-2 s before and after with a floor at
    -50..-35 dBFS; `raw`: the untrimmed recording as it came."""
    rng = np.random.default_rng(seed)
    if name == "clean":
        return trimmed
    if name == "telephone":
        return telephone(trimmed)
    if name == "raw":
        return raw
    if name == "padded_quiet":
        pad, floor = (int(1.5 * SAMPLE_RATE),) * 2, -65.0
    else:
        pad, floor = tuple(int(rng.uniform(0.5, 2.0) * SAMPLE_RATE) for _ in range(2)), rng.uniform(-50, -35)
    wave = np.concatenate([np.zeros(pad[0], np.float32), trimmed, np.zeros(pad[1], np.float32)])
    return np.clip(add_noise_floor(wave, floor, rng), -1, 1).astype(np.float32)
