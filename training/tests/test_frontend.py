"""The ONNX front end (DFT as convolution, mel, log, normalisation) against a numpy reference; trimming; channel."""
import numpy as np
import torch

import audio
from scipy import signal

from models import (F_MAX, HOP, LOG_FLOOR, N_FFT, PCEN_ALPHA, PCEN_EPS, PCEN_SMOOTHING, EmotionCNN, LogMelFrontEnd,
                    ServingModel, SpecAugment, delta, mel_filterbank, pcen, pcen_factors, pcen_kernel, pcen_smooth,
                    training_layout, vtlp_warp)


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
    quiet, quiet_mask = frontend(torch.from_numpy(wave * 0.05)[None])
    loud, loud_mask = frontend(torch.from_numpy(wave)[None])
    # 26 dB quieter: identical up to the log floor's effect on the emptiest (narrowest, lowest) mel cells, against
    # values of order 1 (measured: mean 5e-4, max 0.098 on this signal).
    difference = (quiet - loud).abs()
    assert float(difference.mean()) < 1e-3 and float(difference.max()) < 0.15
    assert float((quiet_mask - loud_mask).abs().max()) < 1e-3
    # Normalised over the speech frames: weighted mean 0 and variance 1 there.
    weight = loud_mask[0][None, :].expand_as(loud[0])
    mean = float((loud[0] * weight).sum() / weight.sum())
    variance = float(((loud[0] - mean) ** 2 * weight).sum() / weight.sum())
    assert abs(mean) < 1e-3 and abs(variance - 1) < 1e-2


def speech_in_noise(floor_dbfs, pad_seconds=1.5):
    """1 s of a voiced-like harmonic burst at -12 dBFS peak between pads, all under a noise floor."""
    rng = np.random.default_rng(2)
    t = np.arange(16000) / 16000
    burst = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 10)) * np.hanning(16000) ** 0.2
    burst = 0.25 * burst / np.abs(burst).max()
    pad = np.zeros(int(pad_seconds * 16000))
    wave = np.concatenate([pad, burst, pad]) + rng.standard_normal(2 * len(pad) + 16000) * 10 ** (floor_dbfs / 20)
    return burst.astype(np.float32), wave.astype(np.float32)


def test_speech_mask_finds_the_speech_between_noise_pads():
    frontend = LogMelFrontEnd()
    for floor in (-70, -50, -35):
        _, wave = speech_in_noise(floor)
        _, mask = frontend(torch.from_numpy(wave)[None])
        mask = mask[0].numpy()
        seconds_of_speech = mask.sum() / 100
        assert 0.7 < seconds_of_speech < 1.2, (floor, seconds_of_speech)
        assert mask[:120].max() < 0.1 and mask[-120:].max() < 0.1  # nothing in the pads


def test_pooled_cnn_output_barely_changes_when_noise_pads_are_added():
    """The served graph fed the raw recording must see what it sees on the trimmed speech."""
    torch.manual_seed(0)
    model = ServingModel(LogMelFrontEnd(), EmotionCNN()).eval()
    burst, padded = speech_in_noise(-65)
    with torch.no_grad():
        alone = model(torch.from_numpy(burst)[None])[0]
        in_noise = model(torch.from_numpy(padded)[None])[0]
    # Measured: the same argmax and a largest probability difference of a few hundredths; without the mask the
    # statistics would be dominated by the 3 s of noise.
    assert int(alone.argmax()) == int(in_noise.argmax())
    assert float((alone - in_noise).abs().max()) < 0.1


def test_floor_makes_a_quiet_noise_floor_look_like_silence():
    """floor_db: under a -50 dBFS floor the speech's features are nearer its features over silence than without it."""
    _, quiet = speech_in_noise(-120)
    _, noisy = speech_in_noise(-50)
    distances = {}
    for floor_db in (None, 20.0):
        frontend = LogMelFrontEnd(floor_db)
        clean, mask = frontend(torch.from_numpy(quiet)[None])
        under_noise, _ = frontend(torch.from_numpy(noisy)[None])
        speech = mask[0] > 0.5
        distances[floor_db] = float(((clean - under_noise)[0][:, speech] ** 2).mean())
    print(f"speech features, silence against a -50 dBFS floor: {distances}")
    assert distances[20.0] < 0.5 * distances[None]
    # Without noise the floor only lifts the cells far below the speech: the speech frames keep most of their shape.
    plain, mask = LogMelFrontEnd()(torch.from_numpy(quiet)[None])
    floored, _ = LogMelFrontEnd(20.0)(torch.from_numpy(quiet)[None])
    speech = mask[0] > 0.5
    correlation = np.corrcoef(plain[0][:, speech].flatten(), floored[0][:, speech].flatten())[0, 1]
    assert correlation > 0.8


def test_delta_is_htks_regression_over_two_frames():
    x = np.random.default_rng(3).standard_normal((2, 1, 5, 9)).astype(np.float32)
    padded = np.concatenate([x[..., :1], x[..., :1], x, x[..., -1:], x[..., -1:]], axis=-1)   # edges repeated
    t = np.arange(x.shape[-1]) + 2
    reference = sum(n * (padded[..., t + n] - padded[..., t - n]) for n in (1, 2)) / (2 * (1 + 4))
    assert np.abs(delta(torch.from_numpy(x)).numpy() - reference).max() < 1e-6
    with torch.no_grad():
        assert EmotionCNN(deltas=True).eval()(torch.randn(2, 64, 50), torch.ones(2, 50)).shape == (2, 7)


def test_kept_bands_pool_each_frequency_row_and_average_to_the_plain_cnns_statistics():
    torch.manual_seed(0)
    plain, bands = EmotionCNN().eval(), training_layout(EmotionCNN(keep_bands=True)).eval()  # as it trains
    bands.blocks.load_state_dict(plain.blocks.state_dict())
    features, mask = torch.randn(3, 64, 300), torch.rand(3, 300)
    with torch.no_grad():
        kept, averaged = bands.embed(features, mask), plain.embed(features, mask)
    assert kept.shape == (3, bands.embed_size) == (3, 3 * 128 * 4) and averaged.shape == (3, plain.embed_size)
    # the masked mean over time is linear, so the rows' means averaged over the rows are the plain CNN's means
    assert torch.allclose(kept[:, :512].reshape(3, 128, 4).mean(dim=2), averaged[:, :128], atol=1e-6)
    assert not torch.allclose(kept[:, :512].reshape(3, 128, 4)[..., 0], averaged[:, :128], atol=1e-3)


def test_mel_filterbank_covers_the_band_and_stops_at_nyquist():
    bank = mel_filterbank()
    assert bank.shape == (201, 64)
    assert (bank.sum(axis=0) > 0).all()  # no empty filter
    assert F_MAX == 4000 and bank[100:].sum() <= 1e-6  # telephone band: nothing above 4 kHz (bin 100)


def test_vtlp_hears_a_tone_where_a_speaker_that_many_times_higher_would_put_it():
    frontend = LogMelFrontEnd()
    t = np.arange(16000) / 16000

    def band_centroid(hz, factor=1.0):  # the tone's mean band, weighted by mel power (finer than the loudest band)
        wave = torch.from_numpy((0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32))[None]
        mel = torch.from_numpy(mel_filterbank(factor)[:frontend.bins])[None]
        power = frontend.mel_power(wave, mel)[0].mean(dim=1).numpy()
        return float((power * np.arange(len(power))).sum() / power.sum())

    for hz, factor in [(300, 1.1), (1000, 1.1), (1000, 0.9), (2500, 0.92), (2500, 1.08)]:
        assert abs(band_centroid(hz, factor) - band_centroid(hz * factor)) < 0.05
        assert abs(band_centroid(hz, factor) - band_centroid(hz)) > 1.0
    assert np.array_equal(mel_filterbank(1.0), mel_filterbank())


def test_vtlp_keeps_the_telephone_band_edge_and_every_filter():
    assert np.allclose(vtlp_warp([0, F_MAX, 6000], 0.9), [0, F_MAX, 6000])  # the band's ends stay where they are
    for factor, knee in [(1.1, 3200 / 1.1), (0.9, 3200)]:                   # the two pieces meet at the knee
        assert np.allclose(vtlp_warp([knee - 1e-6, knee + 1e-6], factor), factor * knee, atol=1e-4)
    for factor in (0.9, 1.1):
        warped = vtlp_warp(np.linspace(0, F_MAX, 401), factor)
        assert np.all(np.diff(warped) > 0)                 # monotonic: no band reads the spectrum backwards
        bank = mel_filterbank(factor)
        assert (bank.sum(axis=0) > 0).all() and bank[100:].sum() <= 1e-6


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


def test_pcen_matches_the_recursive_smoother_it_truncates():
    """The graph's convolution against scipy's IIR M[t] = (1 - s) M[t-1] + s E[t], started at the first frame."""
    rng = np.random.default_rng(5)
    power = rng.gamma(1.0, 1.0, (2, 64, 500)) * np.exp(rng.normal(0, 2, (2, 64, 1)))  # bands of different levels
    power[:, :, 200:260] *= 50  # a loud burst: the smoother must follow it down again
    b, a = [PCEN_SMOOTHING], [1, PCEN_SMOOTHING - 1]
    smooth = signal.lfilter(b, a, power, axis=2, zi=signal.lfilter_zi(b, a) * power[:, :, :1])[0]
    reference = np.log1p(power / (PCEN_EPS + smooth) ** PCEN_ALPHA)
    ours = pcen(torch.from_numpy(power.astype(np.float32)), pcen_factors()).numpy()
    # the 400-tap response leaves out 4e-5 of the IIR's: the burst's weight 400 frames on, and the start's
    assert np.abs(ours - reference).max() < 0.02 and np.abs(ours - reference).mean() < 1e-3
    assert abs(pcen_kernel().sum() - 1) < 1e-6


def test_pcens_two_short_convolutions_are_its_400_tap_response():
    """The factors, the second dilated by 20, rebuild pcen_kernel tap for tap, and smooth as one 400-tap Conv did."""
    recent, blocks = pcen_factors()
    rebuilt = np.zeros(400)
    for q, b in enumerate(blocks.numpy().ravel()):
        rebuilt[20 * q:20 * q + 20] += b * recent.numpy().ravel()
    assert np.allclose(rebuilt, pcen_kernel().ravel(), rtol=1e-6, atol=0)   # float32 rounding
    rng = np.random.default_rng(7)
    power = rng.gamma(1.0, 1.0, (2, 64, 300)) * np.exp(rng.normal(0, 3, (2, 64, 1)))
    power = torch.from_numpy(power.astype(np.float32))
    padded = torch.nn.functional.pad(power.reshape(128, 1, 300), (399, 0), mode="replicate")
    one_conv = torch.nn.functional.conv1d(padded, torch.from_numpy(pcen_kernel())).reshape(2, 64, 300)
    assert torch.allclose(pcen_smooth(power, pcen_factors()), one_conv, rtol=1e-5, atol=0)


def test_pcen_gives_a_steady_floor_the_same_level_in_every_band_whatever_its_tilt():
    """Per-channel gain control: stationary noise whose bands lie 60 dB apart (a tilted floor) comes out of PCEN at
    about one level in every band (E / M stays near 1; only M ** 0.02 is left of the level), where its log spans the
    60 dB (13.8 natural-log units)."""
    rng = np.random.default_rng(6)
    tilt = np.logspace(-4, 2, 64)[None, :, None]
    power = torch.from_numpy((rng.exponential(1.0, (1, 64, 800)) * tilt).astype(np.float32))
    steady = pcen(power, pcen_factors())[0, :, 400:].mean(dim=1)   # past the start's repeated frame
    logged = torch.log(power[0, :, 400:]).mean(dim=1)
    assert float(logged.max() - logged.min()) > 13 and float(steady.max() - steady.min()) < 0.2


def test_pcen_below_alpha_1_keeps_that_share_of_a_steady_floors_tilt():
    """At alpha 0.8 a steady floor's bands keep (1 - alpha) of their log level: log(1 + E / M^0.8) ~ 0.2 log E for
    E >> 1 in a band (60 dB of tilt comes out as about 12 dB)."""
    rng = np.random.default_rng(6)
    tilt = np.logspace(6, 12, 64)[None, :, None]    # every band far above 1, where log1p is nearly log
    power = torch.from_numpy((rng.exponential(1.0, (1, 64, 800)) * tilt).astype(np.float32))
    kept = pcen(power, pcen_factors(), alpha=0.8)[0, :, 400:].mean(dim=1)
    span = float(kept[-1] - kept[0])
    assert abs(span - 0.2 * np.log(1e6)) < 0.3   # 0.2 * 13.8 = 2.8 natural-log units


def test_the_pcen_plane_stacks_the_log_mel_and_pcen_each_as_its_own_front_end_gives_it():
    torch.manual_seed(3)
    wave = torch.randn(2, 16000 * 2) * torch.linspace(0.01, 0.3, 16000 * 2)   # a level that moves, so PCEN differs
    planes, mask = LogMelFrontEnd(pcen_plane=True)(wave)
    log_mel, log_mel_mask = LogMelFrontEnd()(wave)
    pcen_only, _ = LogMelFrontEnd(pcen=True)(wave)
    assert planes.shape == (2, 2) + log_mel.shape[1:] and torch.equal(mask, log_mel_mask)
    assert torch.allclose(planes[:, 0], log_mel) and torch.allclose(planes[:, 1], pcen_only)
    assert not torch.allclose(planes[:, 0], planes[:, 1], atol=0.1)
    assert EmotionCNN(planes=2)(planes, mask).shape == (2, 7)


def test_spec_augment_masks_every_plane_where_it_masks_a_single_one():
    ones = torch.ones(4, 64, 120)
    torch.manual_seed(8)
    single = SpecAugment(p=1.0).train()(ones)
    torch.manual_seed(8)
    planes = SpecAugment(p=1.0).train()(torch.stack([ones, ones], dim=1))
    assert (single == 0).any() and (single == 1).any()
    assert torch.equal(planes[:, 0], single) and torch.equal(planes[:, 1], single)
