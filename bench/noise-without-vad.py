"""Is the service's VAD to blame for the loss under room noise? A fold model fed each held-out RAVDESS recording whole
(padded 0.5-2 s each side, pink room noise under all of it, as `speechemotion evaluate --perturb` makes it), with no
VAD and no windows, beside the same model's service-path figures from that evaluation. The row without noise is the
recording alone, the service's "untrimmed" variation, which checks that this torch path scores as the ONNX graph does.

    /usr/bin/python3 bench/noise-without-vad.py training/runs/epochs50-fold3 3

RUN holds weights.pt (from `training/crossval.py run`) and service-foldK.json (from `training/service_crossval.sh`).
The noise is drawn here, not by the C# code, so it is the same kind and level, not the same samples.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from scipy import signal

TRAINING = Path(__file__).resolve().parent.parent / "training"
sys.path.insert(0, str(TRAINING))
import audio  # noqa: E402
import crossval  # noqa: E402
from crossval import LABELS  # noqa: E402
from models import ServingModel  # noqa: E402

LEVELS_DBFS = (-50, -35)


def room_noise(length, level_dbfs, rng):
    """The C# RoomNoise: white Gaussian noise through 1 / (1 - 0.95 z^-1), scaled to an exact RMS level."""
    noise = signal.lfilter([1.0], [1.0, -0.95], rng.standard_normal(length))
    return (noise / np.sqrt(np.mean(noise ** 2)) * 10 ** (level_dbfs / 20)).astype(np.float32)


def main(run, fold):
    torch.set_num_threads(1)
    evaluated = json.loads((Path(run) / f"service-fold{fold}.json").read_text())
    rows = [r for r in evaluated["clipResults"] if r["speaker"].startswith("ravdess:")]
    model = ServingModel(*crossval.trained_modules(torch.load(Path(run) / "weights.pt"), f"v2-fold{fold}")).eval()
    rng = np.random.default_rng(0)
    right = {level: [] for level in ("untrimmed", *LEVELS_DBFS)}
    with torch.no_grad():
        for row in rows:
            wave = audio.load(str(Path(evaluated["folder"]) / row["file"]))
            before, after = (np.zeros(int(rng.uniform(0.5, 2.0) * audio.SAMPLE_RATE), np.float32) for _ in range(2))
            padded = np.concatenate([before, wave, after])
            for level in right:
                heard = wave if level == "untrimmed" else padded + room_noise(len(padded), level, rng)
                probabilities = model(torch.from_numpy(heard)[None])[0].numpy()
                right[level].append(LABELS[probabilities.argmax()] == row["label"])
    service = {level: np.mean([r["predictions"]["untrimmed" if level == "untrimmed" else f"padded+noise{level}dBFS"]
                               == r["label"] for r in rows]) for level in right}
    print(f"{run}, fold {fold}: {len(rows)} RAVDESS clips")
    for level in right:
        name = "no noise" if level == "untrimmed" else f"{level} dBFS"
        path = "service's untrimmed row (the same, through ONNX Runtime)" if level == "untrimmed" else "service path (VAD, windows)"
        print(f"  {name:>9}: whole recording into the graph {np.mean(right[level]):.3f}, {path} {service[level]:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
