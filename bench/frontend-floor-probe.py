"""Which floor under the log-mel (LogMelFrontEnd.floor_db) to try in a CNN: a linear probe, no CNN training.

For each front end, a multinomial logistic regression on the masked utterance statistics (the baseline's features) is
trained on RAVDESS folds 0-2 (each clip trimmed and once padded under pink noise at -70..-35 dBFS) and scored on fold 4
clean and padded under -50 and -35 dBFS. Fold 3's actors are not used, so fold 3 can score the CNN trained with the
chosen floor. Prints accuracy / macro-F1 per condition (about 2 min on two cores).

    /usr/bin/python3 bench/frontend-floor-probe.py [/tmp/cpu-pack/ravdess.npz]
"""
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
from models import HOP, LOG_FLOOR, LogMelFrontEnd, normalise_over_speech, speech_mask, utterance_statistics  # noqa: E402

# (name, floor): None is the shipped front end; a number is floor_db, the floor below the mean band power over speech;
# "band" floors each band below its own mean power over speech instead.
FRONT_ENDS = [("none", None), ("scalar", 20.0), ("scalar", 30.0), ("band", 10.0), ("band", 20.0), ("band", 30.0)]


def per_band_floored(wave, floor_db):
    """LogMelFrontEnd's forward with each band floored below its own mean power over the speech."""
    power = LogMelFrontEnd().mel_power(wave)
    mask = speech_mask(torch.log(power + LOG_FLOOR))
    band_power = (power * mask.unsqueeze(1)).sum(dim=2, keepdim=True) / (mask.sum() + 1e-3)
    return normalise_over_speech(torch.log(power + band_power * 10 ** (-floor_db / 10) + LOG_FLOOR), mask), mask


def statistics(wave, kind, floor_db):
    wave = torch.from_numpy(wave)[None]
    features = per_band_floored(wave, floor_db) if kind == "band" else LogMelFrontEnd(floor_db)(wave)
    return utterance_statistics(*features)[0].numpy()


def padded_in_noise(wave, level_dbfs, seed):
    """0.5-2 s before and after (whole frames), pink noise under all of it: `evaluate --perturb`'s room noise."""
    rng = np.random.default_rng(seed)
    before, after = (int(rng.integers(50, 200)) * HOP for _ in range(2))
    padded = np.concatenate([np.zeros(before, np.float32), wave, np.zeros(after, np.float32)])
    noise = signal.lfilter([1.0], [1.0, -0.95], rng.standard_normal(len(padded)))
    return (padded + noise / np.sqrt(np.mean(noise ** 2)) * 10 ** (level_dbfs / 20)).astype(np.float32)


def main():
    torch.set_num_threads(2)
    meta, waves = crossval.unpack(sys.argv[1] if len(sys.argv) > 1 else "/tmp/cpu-pack/ravdess.npz")
    y = np.array([LABELS.index(c["label"]) for c in meta])
    fold = np.array([crossval.fold_of(c) for c in meta])
    train, validation = np.where(np.isin(fold, [0, 1, 2]))[0], np.where(fold == 4)[0]
    train_levels = np.random.default_rng(1).uniform(-70, -35, len(train))
    with torch.no_grad():
        for kind, floor_db in FRONT_ENDS:
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
                           f"{f1_score(y[validation], predicted, average='macro'):.3f}")
            print(f"{kind:>6} {floor_db if floor_db is not None else '':>5}: " + ", ".join(row), flush=True)


if __name__ == "__main__":
    main()
