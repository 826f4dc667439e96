"""Per-speaker normalisation (issue 10), measured on the service's own per-window probabilities.

The service's `SpeakerNormalisation` (src/Analysis/Inference) centres: log p - alpha * the speaker's mean log p. This
script computes that and one stronger variant the service does not ship, standardisation (each label's log p minus
the speaker's mean, divided by the speaker's standard deviation), from what the CLI prints:

  python3 training/speaker_normalisation.py evaluate RUN_DIR/service-fold{0,1,2,3,4}.json [--mostly-neutral 2]
      each RAVDESS actor's clean clips as one call's channel; pooled accuracy, macro-F1, recall per label; with
      --mostly-neutral N only N clips of each non-neutral emotion per actor (a speaker as neutral as a call)
  python3 training/speaker_normalisation.py windows CALL.json ...
      `speechemotion windows --json` of a mono call; share of neutral and of angry + disgust windows
  --prior neutral=0.6,happy=0.0667,...   both: a deployment class prior applied after each method, as the service's
      Analysis:ClassPrior does (p' proportional to p * prior / uniform training prior)

Its centring rows must equal the C# rows (`evaluate --per-speaker-normalise`, `windows --per-speaker-normalise`): a
cross-check of the two implementations.
"""
import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

LABELS = ["neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust"]
ALPHAS = (0.25, 0.5, 0.75, 1.0, 1.5)
FLOOR = 1e-12  # as the C# floor: a float softmax can underflow to 0


def centre(log_p, alpha, weights=None):
    """log p - alpha * the (weighted) mean over the speaker's windows; rows are windows, columns labels."""
    return log_p - alpha * np.average(log_p, axis=0, weights=weights)


def standardise(log_p):
    """Each label's log p as a z-score over the speaker's windows (a label that never varies scores 0)."""
    spread = log_p.std(axis=0)
    return (log_p - log_p.mean(axis=0)) / np.where(spread > 0, spread, 1)


def methods():
    yield "none", lambda log_p, weights: log_p
    for alpha in ALPHAS:
        yield f"centred {alpha:g}", lambda log_p, weights, a=alpha: centre(log_p, a, weights)
    yield "standardised", lambda log_p, weights: standardise(log_p)


def log_probabilities(rows):
    return np.log(np.maximum([[row["probabilities"][label] for label in LABELS] for row in rows], FLOOR))


def parse_prior(text):
    """'neutral=0.6,happy=0.0667,...' as the log of each label's weight (all seven, as the CLI's --prior)."""
    weights = dict(pair.split("=") for pair in text.split(","))
    assert sorted(weights) == sorted(LABELS), "a weight for each of the seven labels"
    return np.log(np.array([float(weights[label]) for label in LABELS]))


def mostly_neutral(rows, others):
    """Each speaker's neutral clips and only the first `others` clips (by file name) of every other emotion: a speaker
    who is mostly neutral, as on a call, with labels to score."""
    kept, seen = [], {}
    for r in sorted(rows, key=lambda r: r["file"]):
        key = (r["speaker"], r["label"])
        seen[key] = seen.get(key, 0) + 1
        if r["label"] == "neutral" or seen[key] <= others:
            kept.append(r)
    return kept


def evaluate(paths, others=None, log_prior=0.0):
    rows = [r for path in paths for r in json.loads(Path(path).read_text())["clipResults"]]
    if others is not None:
        rows = mostly_neutral(rows, others)
    y = np.array([LABELS.index(r["label"]) for r in rows])
    speakers = sorted({r["speaker"] for r in rows})
    print(f"{len(rows)} clips, {len(speakers)} speakers, {(y == 0).mean():.0%} neutral")
    for name, method in methods():
        pred = np.full(len(rows), -1)  # a rejected clip stays wrong
        for speaker in speakers:
            index = [i for i, r in enumerate(rows) if r["speaker"] == speaker and r.get("probabilities")]
            pred[index] = (method(log_probabilities([rows[i] for i in index]), None) + log_prior).argmax(axis=1)
        recall = " ".join(f"{label} {(pred[y == k] == k).mean():.2f}" for k, label in enumerate(LABELS))
        macro = f1_score(y, pred, labels=range(len(LABELS)), average="macro", zero_division=0)
        share = f"  predicted neutral {(pred == 0).mean():.0%}" if others is not None else ""
        print(f"{name:>13}: accuracy {(pred == y).mean():.3f}  macro-F1 {macro:.3f}  recall {recall}{share}")


def call_shares(pred):
    """The shares of windows answered neutral and angry or disgust: what issue 10's call target bounds."""
    return (pred == LABELS.index("neutral")).mean(), np.isin(pred, [LABELS.index("angry"), LABELS.index("disgust")]).mean()


def windows(paths, log_prior=0.0):
    for path in paths:
        report = json.loads(Path(path).read_text())
        analysed = [w for w in report["timeline"] if w.get("probabilities")]
        weights = np.array([w["endSeconds"] - w["startSeconds"] for w in analysed])
        for name, method in methods():
            pred = (method(log_probabilities(analysed), weights) + log_prior).argmax(axis=1)
            neutral, angry_disgust = call_shares(pred)
            print(f"{report['file']} ({len(analysed)} windows) {name:>13}: neutral {neutral:.0%}, angry + disgust {angry_disgust:.0%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("evaluate", "windows"))
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--mostly-neutral", type=int, metavar="N",
                        help="evaluate: keep each speaker's neutral clips and only N clips of each other emotion")
    parser.add_argument("--prior", help="a class prior applied after each method, e.g. neutral=0.6,happy=0.0667,...")
    args = parser.parse_args()
    log_prior = parse_prior(args.prior) if args.prior else 0.0
    if args.what == "evaluate":
        evaluate(args.inputs, args.mostly_neutral, log_prior)
    else:
        windows(args.inputs, log_prior)


if __name__ == "__main__":
    main()
