"""Which floor under the log-mel (LogMelFrontEnd.floor_db), or which spectral subtraction, to try in a CNN: a linear
probe, no CNN training.

For each front end, a multinomial logistic regression on the masked utterance statistics (the baseline's features) is
trained on RAVDESS folds 0-2 (each clip trimmed and once padded under pink noise at -70..-35 dBFS) and scored on fold 4
clean and padded under -50 and -35 dBFS. Fold 3's actors are not used, so fold 3 can score the CNN trained with the
chosen floor. Prints accuracy / macro-F1 (sad recall) per condition (about 2 min a front end on two cores).

    /usr/bin/python3 bench/frontend-floor-probe.py [/tmp/cpu-pack/ravdess.npz] [--kinds none,subtract]
    /usr/bin/python3 bench/frontend-floor-probe.py --synthetic     # does subtraction bring noisy speech nearer quiet?
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from scipy import signal
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
import crossval  # noqa: E402
from corpora import LABELS  # noqa: E402
from models import (HOP, LOG_FLOOR, MASK_SMOOTH_FRAMES, LogMelFrontEnd, normalise_over_speech, speech_mask,  # noqa: E402
                    utterance_statistics)

# (name, floor): None is the shipped front end; a number is floor_db, the floor below the mean band power over speech;
# "band" floors each band below its own mean power over speech instead; "subtract" (over-subtraction, dB kept) is
# spectral subtraction of each band's noise; "centred" normalises the mean over the speech but not the variance
# (fourteenth session).
FRONT_ENDS = [("none", None), ("scalar", 20.0), ("scalar", 30.0), ("band", 10.0), ("band", 20.0), ("band", 30.0),
              ("subtract", (1.0, 10.0)), ("subtract", (1.0, 20.0)), ("subtract", (2.0, 10.0)), ("subtract", (2.0, 20.0)),
              ("centred", None)]


def per_band_floored(wave, floor_db):
    """LogMelFrontEnd's forward with each band floored below its own mean power over the speech."""
    power = LogMelFrontEnd().mel_power(wave)
    mask = speech_mask(torch.log(power + LOG_FLOOR))
    band_power = (power * mask.unsqueeze(1)).sum(dim=2, keepdim=True) / (mask.sum() + 1e-3)
    return normalise_over_speech(torch.log(power + band_power * 10 ** (-floor_db / 10) + LOG_FLOOR), mask), mask


def noise_subtracted(wave, over, keep_db):
    """Spectral subtraction: each band's noise (its quietest 150 ms, minimum statistics) times `over` taken off its
    power, keeping at least the power `keep_db` below where it was."""
    power = LogMelFrontEnd().mel_power(wave)
    mask = speech_mask(torch.log(power + LOG_FLOOR))
    smooth = torch.nn.functional.avg_pool1d(power, MASK_SMOOTH_FRAMES, stride=1, padding=MASK_SMOOTH_FRAMES // 2,
                                            count_include_pad=False)
    clean = torch.maximum(power - over * smooth.amin(dim=2, keepdim=True), power * 10 ** (-keep_db / 10))
    return normalise_over_speech(torch.log(clean + LOG_FLOOR), mask), mask


def centred_only(wave):
    """The shipped front end without the division by the standard deviation: a flat, narrow-range voice stays so."""
    frontend = LogMelFrontEnd()
    x = torch.log(frontend.mel_power(wave) + LOG_FLOOR)
    mask = speech_mask(x)
    weight = mask.unsqueeze(1)
    mean = (x * weight).sum(dim=(1, 2), keepdim=True) / (weight.sum(dim=2, keepdim=True) * x.shape[1] + 1e-3)
    return x - mean, mask


def statistics(wave, kind, floor_db):
    wave = torch.from_numpy(wave)[None]
    if kind == "centred":
        features = centred_only(wave)
    elif kind == "band":
        features = per_band_floored(wave, floor_db)
    elif kind == "subtract":
        features = noise_subtracted(wave, *floor_db)
    else:
        features = LogMelFrontEnd(floor_db)(wave)
    return utterance_statistics(*features)[0].numpy()


def padded_in_noise(wave, level_dbfs, seed):
    """0.5-2 s before and after (whole frames), pink noise under all of it: `evaluate --perturb`'s room noise."""
    rng = np.random.default_rng(seed)
    before, after = (int(rng.integers(50, 200)) * HOP for _ in range(2))
    padded = np.concatenate([np.zeros(before, np.float32), wave, np.zeros(after, np.float32)])
    noise = signal.lfilter([1.0], [1.0, -0.95], rng.standard_normal(len(padded)))
    return (padded + noise / np.sqrt(np.mean(noise ** 2)) * 10 ** (level_dbfs / 20)).astype(np.float32)


def synthetic_check():
    """The mean squared distance over the speech frames between a voiced burst's features under a louder and a quieter
    noise floor (test_frontend.speech_in_noise), without and with spectral subtraction: does it bring them nearer?"""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training" / "tests"))
    from test_frontend import speech_in_noise
    none = lambda w: LogMelFrontEnd()(w)  # noqa: E731
    for quieter in (-120, -80, -70, -60):
        _, quiet = speech_in_noise(quieter)
        for louder in (-50, -40):
            _, noisy = speech_in_noise(louder)
            row = []
            for name, front_end in [("none", none)] + [(f"{o:g}x, {k:g} dB", lambda w, o=o, k=k: noise_subtracted(w, o, k))
                                                       for o, k in ((1.0, 10.0), (1.0, 20.0))]:
                clean, mask = front_end(torch.from_numpy(quiet)[None])
                under_noise, _ = front_end(torch.from_numpy(noisy)[None])
                row.append(f"{name} {float(((clean - under_noise)[0][:, mask[0] > 0.5] ** 2).mean()):.3f}")
            print(f"{louder} dBFS against {quieter} dBFS: " + ", ".join(row), flush=True)


def main():
    torch.set_num_threads(2)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pack", nargs="?", default="/tmp/cpu-pack/ravdess.npz")
    parser.add_argument("--kinds", default=",".join(dict.fromkeys(kind for kind, _ in FRONT_ENDS)),
                        help="which front ends, by kind (default: all)")
    parser.add_argument("--synthetic", action="store_true", help="only the synthetic check of spectral subtraction")
    args = parser.parse_args()
    if args.synthetic:
        return synthetic_check()
    kinds = args.kinds.split(",")
    meta, waves = crossval.unpack(args.pack)
    y = np.array([LABELS.index(c["label"]) for c in meta])
    fold = np.array([crossval.fold_of(c) for c in meta])
    train, validation = np.where(np.isin(fold, [0, 1, 2]))[0], np.where(fold == 4)[0]
    train_levels = np.random.default_rng(1).uniform(-70, -35, len(train))
    sad = y[validation] == LABELS.index("sad")
    with torch.no_grad():
        for kind, floor_db in [f for f in FRONT_ENDS if f[0] in kinds]:
            x = np.stack([statistics(waves[i], kind, floor_db) for i in train]
                         + [statistics(padded_in_noise(waves[i], level, int(i)), kind, floor_db)
                            for i, level in zip(train, train_levels)])
            scaler = StandardScaler().fit(x)
            probe = LogisticRegression(C=0.1, max_iter=2000, class_weight="balanced").fit(
                scaler.transform(x), np.concatenate([y[train], y[train]]))
            row = []
            for level in (None, -50, -35):
                waves_v = [waves[i] if level is None else padded_in_noise(waves[i], level, int(i) + 7) for i in validation]
                predicted = probe.predict(scaler.transform(np.stack([statistics(w, kind, floor_db) for w in waves_v])))
                row.append(f"{'clean' if level is None else f'{level} dBFS'} {(predicted == y[validation]).mean():.3f} / "
                           f"{f1_score(y[validation], predicted, average='macro'):.3f} (sad {(predicted[sad] == y[validation][sad]).mean():.2f})")
            setting = "" if floor_db is None else floor_db if kind != "subtract" else "{:g}x, {:g} dB".format(*floor_db)
            print(f"{kind:>8} {setting!s:>12}: " + ", ".join(row), flush=True)


if __name__ == "__main__":
    main()
