"""The ONNX front end (DFT as convolution, mel, log, normalisation) against a numpy reference; trimming; channel."""
import numpy as np
import torch

import audio
from models import F_MAX, HOP, LOG_FLOOR, N_FFT, LogMelFrontEnd, mel_filterbank


def numpy_log_mel(wave):
    """Independent reference: numpy's rfft of Hann-windowed frames, same framing and filterbank."""
    n_frames = 1 + (len(wave) - N_FFT) // HOP
    frames = np.stack([wave[t * HOP: t * HOP + N_FFT] for t in range(n_frames)]).astype(np.float64)
    window = np.hanning(N_FFT + 1)[:-1]  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return np.log(power @ mel_filterbank().astype(np.float64) + LOG_FLOOR).T


def test_log_mel_matches_numpy_reference():
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 2) / 16000
    wave = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 3100 * t)
            + 0.01 * rng.standard_normal(len(t))).astype(np.float32)
    ours = LogMelFrontEnd().log_mel(torch.from_numpy(wave)[None])[0].numpy()
    reference = numpy_log_mel(wave)
    assert ours.shape == reference.shape == (64, 1 + (len(wave) - N_FFT) // HOP)
    # Compare where the mel energy is meaningful (log of float32 rounding noise near the floor is not).
    meaningful = reference > np.log(1e-3)
    max_error = np.abs(ours - reference)[meaningful].max()
    print(f"front end vs numpy: max abs log-mel error {max_error:.2e} over {meaningful.sum()} cells")
    assert max_error < 1e-3


def test_normalised_features_ignore_loudness():
    rng = np.random.default_rng(1)
    wave = (0.2 * rng.standard_normal(16000)).astype(np.float32)
    frontend = LogMelFrontEnd()
    quiet = frontend(torch.from_numpy(wave * 0.05)[None])
    loud = frontend(torch.from_numpy(wave)[None])
    # 26 dB quieter: identical up to the log floor's effect on the emptiest mel cells (measured: mean 1e-4,
    # max 0.017 on this signal), against feature values of order 1.
    difference = (quiet - loud).abs()
    assert float(difference.mean()) < 1e-3 and float(difference.max()) < 0.05
    assert abs(float(loud.mean())) < 1e-4 and abs(float(loud.std()) - 1) < 1e-3


def test_mel_filterbank_covers_the_band_and_stops_at_nyquist():
    bank = mel_filterbank()
    assert bank.shape == (201, 64)
    assert (bank.sum(axis=0) > 0).all()  # no empty filter
    assert F_MAX == 8000 and bank[-1].sum() <= 1e-6  # nothing at exactly 8 kHz


def test_trim_keeps_the_tone_and_40_ms_margins():
    tone = 0.5 * np.sin(2 * np.pi * 300 * np.arange(16000) / 16000)
    wave = np.concatenate([np.zeros(16000), tone, np.zeros(8000)]).astype(np.float32)
    trimmed = audio.trim_silence(wave)
    assert len(trimmed) == 16000 + 2 * 640  # the tone plus two 20 ms frames each side
    assert np.allclose(trimmed[640:640 + 16000], tone.astype(np.float32))


def test_trim_of_silence_is_empty():
    assert len(audio.trim_silence(np.zeros(48000, dtype=np.float32))) == 0


def test_telephone_channel_removes_what_a_phone_line_cannot_carry():
    t = np.arange(16000) / 16000
    low, mid, high = (np.sin(2 * np.pi * f * t).astype(np.float32) * 0.3 for f in (100, 1000, 6000))
    energy = lambda x: float(np.mean(audio.telephone(x)[2000:] ** 2))  # noqa: E731
    assert energy(mid) > 0.03          # speech band passes (input energy 0.045)
    assert energy(high) < 0.0005       # above 4 kHz is gone (8 kHz sampling)
    assert energy(low) < 0.005         # below 300 Hz is attenuated
    assert len(audio.telephone(mid)) == len(mid)


def test_mulaw_quantises_to_256_levels():
    x = np.linspace(-1, 1, 2_000_001)  # fine enough to reach every code near zero
    assert len(np.unique(np.round(audio.mulaw_roundtrip(x), 9))) == 256
