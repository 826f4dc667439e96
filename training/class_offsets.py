"""Per-class offsets on the log-probabilities (issue 10, sad heard as neutral), measured on the service's own outputs.

The model answers neutral for 35 % of held-out RAVDESS clips that are 20 % neutral, and sad for few. An offset per
label added to log p (vector scaling without the scale) moves those boundaries; it is fitted by class-balanced
log-likelihood on clips of speakers the scored model never heard, never on the fold it is scored on:

  python3 training/class_offsets.py RUN/service-fold{0,1,2,3,4}.json [--calls CALL.json ...]
      each fold's RAVDESS clips (clean) scored with offsets fitted on the other four folds' RAVDESS clips, pooled;
      then offsets fitted on all five folds, applied to `speechemotion windows --json` outputs of calls
"""
import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import f1_score

from speaker_normalisation import LABELS, call_shares, log_probabilities

CORPUS = "ravdess"


def fit_offsets(log_p, y):
    """The offsets b (mean 0) that maximise the class-balanced log-likelihood of softmax(log p + b)."""
    weights = 1.0 / np.bincount(y, minlength=len(LABELS))[y]

    def loss(b):
        scores = log_p + b
        scores = scores - scores.max(axis=1, keepdims=True)
        log_softmax = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return -(weights * log_softmax[np.arange(len(y)), y]).sum() / weights.sum()

    offsets = minimize(loss, np.zeros(len(LABELS)), method="BFGS").x
    return offsets - offsets.mean()


def fold_clips(path):
    rows = [r for r in json.loads(Path(path).read_text())["clipResults"]
            if r["speaker"].startswith(CORPUS + ":") and r.get("probabilities")]
    return log_probabilities(rows), np.array([LABELS.index(r["label"]) for r in rows])


def report(name, y, pred):
    recall = " ".join(f"{label} {(pred[y == k] == k).mean():.2f}" for k, label in enumerate(LABELS) if (y == k).any())
    macro = f1_score(y, pred, labels=range(len(LABELS)), average="macro", zero_division=0)
    print(f"{name:>8}: accuracy {(pred == y).mean():.3f}  macro-F1 {macro:.3f}  answered neutral "
          f"{(pred == 0).mean():.0%}  recall {recall}")


def leave_one_fold_out(folds):
    y, plain, shifted = [], [], []
    for k, (log_p, labels) in enumerate(folds):
        others = [f for j, f in enumerate(folds) if j != k]
        offsets = fit_offsets(np.concatenate([f[0] for f in others]), np.concatenate([f[1] for f in others]))
        y.append(labels)
        plain.append(log_p.argmax(axis=1))
        shifted.append((log_p + offsets).argmax(axis=1))
    y = np.concatenate(y)
    print(f"{len(y)} {CORPUS} clips, each fold with offsets fitted on the other {len(folds) - 1}")
    report("none", y, np.concatenate(plain))
    report("offsets", y, np.concatenate(shifted))


def calls(paths, offsets):
    for path in paths:
        call = json.loads(Path(path).read_text())
        log_p = log_probabilities([w for w in call["timeline"] if w.get("probabilities")])
        for name, pred in (("none", log_p.argmax(axis=1)), ("offsets", (log_p + offsets).argmax(axis=1))):
            neutral, angry_disgust = call_shares(pred)
            print(f"{call['file']} ({len(pred)} windows) {name:>8}: neutral {neutral:.0%}, "
                  f"angry + disgust {angry_disgust:.0%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folds", nargs="+", help="`speechemotion evaluate --json` of each fold model on its own fold")
    parser.add_argument("--calls", nargs="*", default=[], help="`speechemotion windows --json` outputs")
    args = parser.parse_args()
    folds = [fold_clips(path) for path in args.folds]
    leave_one_fold_out(folds)
    offsets = fit_offsets(np.concatenate([f[0] for f in folds]), np.concatenate([f[1] for f in folds]))
    print("offsets fitted on every fold: " + " ".join(f"{label} {b:+.2f}" for label, b in zip(LABELS, offsets)))
    calls(args.calls, offsets)


if __name__ == "__main__":
    main()
