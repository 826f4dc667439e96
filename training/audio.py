"""Waveform-level processing shared by training and evaluation: loading, silence trimming, the telephone channel
and the training-only augmentations. Everything works on 16 kHz mono float32 numpy arrays in [-1, 1]."""
from math import gcd

import numpy as np
import soundfile as sf
from scipy import signal

SAMPLE_RATE = 16000


def load(path):
    """Decode by content (libsndfile sniffs the header: some TESS '.wav' files are really AIFF), down-mix, resample."""
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


def trim_silence(wave):
    """Cut leading and trailing silence. Returns an empty array when no frame is voiced."""
    n_frames = len(wave) // TRIM_FRAME
    if n_frames == 0:
        return wave[:0]
    frames = wave[: n_frames * TRIM_FRAME].reshape(n_frames, TRIM_FRAME).astype(np.float64)
    energy = (frames ** 2).mean(axis=1)
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
# Probabilities are per training example and per epoch; they are documented in the model card.
AUGMENTATION = {
    "telephone": 0.3,   # use the cached telephone-channel copy of the clip
    "speed": 0.3,       # speed perturbation x0.9-1.1 (changes tempo and pitch together)
    "gain": 0.5,        # +-6 dB (the graph normalises loudness; this keeps it honest with noise below)
    "noise": 0.3,       # white or pink noise at 5-25 dB SNR
    "shift": 1.0,       # random crop position inside the clip (time shift)
}


def speed_perturb(wave, factor):
    positions = np.arange(0, len(wave) - 1, factor)
    return np.interp(positions, np.arange(len(wave)), wave).astype(np.float32)


def add_noise(wave, snr_db, rng):
    noise = rng.standard_normal(len(wave)).astype(np.float32)
    if rng.random() < 0.5:  # pink-ish: integrate white noise once, remove the drift
        noise = signal.lfilter([1.0], [1.0, -0.95], noise).astype(np.float32)
    power = float(np.mean(wave ** 2)) + 1e-12
    noise *= np.sqrt(power / (np.mean(noise ** 2) + 1e-12) / 10 ** (snr_db / 10))
    return wave + noise


def crop_or_repeat(wave, length, rng):
    """Random crop of a long clip; a short one is repeated to fill the length (zero padding would teach the model
    what padding looks like, and the served graph never sees padding)."""
    if len(wave) < length:
        reps = int(np.ceil(length / max(len(wave), 1)))
        wave = np.tile(wave, reps)
        start = rng.integers(0, len(wave) - length + 1)
        return wave[start: start + length]
    start = rng.integers(0, len(wave) - length + 1)
    return wave[start: start + length]


def augment(clean, telephone_copy, length, rng):
    wave = telephone_copy if rng.random() < AUGMENTATION["telephone"] else clean
    if rng.random() < AUGMENTATION["speed"]:
        wave = speed_perturb(wave, rng.uniform(0.9, 1.1))
    wave = crop_or_repeat(wave, length, rng)
    if rng.random() < AUGMENTATION["gain"]:
        wave = wave * 10 ** (rng.uniform(-6, 6) / 20)
    if rng.random() < AUGMENTATION["noise"]:
        wave = add_noise(wave, rng.uniform(5, 25), rng)
    return wave.astype(np.float32)
