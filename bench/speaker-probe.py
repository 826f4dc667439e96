"""How much of the speaker a fold model's pooled statistics (EmotionCNN.embed) still carry: a linear probe.

For each fold model named, the clean clips of its fold's training speakers (at most 60 a speaker, so TESS does not
dominate) go through the front end and the CNN; a multinomial logistic regression learns the speaker from half of
each speaker's clips and names the speaker of the other half. Prints the probe's accuracy beside chance (one over the
speakers). Used for the speaker adversary (models/MODEL_CARD.md, "A speaker adversary on the pooled features"):
did the adversary take the speaker out of the features, or were they never there? About 2 min a model on two cores.

    /usr/bin/python3 bench/speaker-probe.py 3 training/runs/cl-fold3:balanced training/runs/adv-fold34:adversary
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
import crossval  # noqa: E402

CLIPS_PER_SPEAKER = 60


def training_clips(meta, fold, rng):
    """Indices of up to CLIPS_PER_SPEAKER clips of every speaker the fold model trained on."""
    chosen = []
    for speaker in sorted({c["speaker"] for c in meta if crossval.fold_of(c) != fold}):
        mine = [i for i, c in enumerate(meta) if c["speaker"] == speaker]
        chosen += sorted(rng.choice(mine, size=min(CLIPS_PER_SPEAKER, len(mine)), replace=False))
    return chosen


@torch.no_grad()
def embeddings(run, recipe, fold, waves):
    frontend, cnn = crossval.trained_modules(torch.load(Path(run) / "weights.pt"), f"{recipe}-fold{fold}")
    return np.stack([cnn.embed(*frontend(torch.from_numpy(np.ascontiguousarray(w))[None]))[0].numpy() for w in waves])


def probe_accuracy(x, speakers):
    x_train, x_test, y_train, y_test = train_test_split(x, speakers, test_size=0.5, stratify=speakers, random_state=0)
    scaler = StandardScaler().fit(x_train)
    probe = LogisticRegression(max_iter=2000, C=1.0).fit(scaler.transform(x_train), y_train)
    return probe.score(scaler.transform(x_test), y_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fold", type=int)
    parser.add_argument("models", nargs="+", help="RUN_DIR:RECIPE, each holding weights.pt with RECIPE-foldK")
    parser.add_argument("--pack", default="/tmp/cpu-pack/ravdess.npz,/tmp/cpu-pack/savee.npz,/tmp/cpu-pack/tess.npz")
    args = parser.parse_args()
    torch.set_num_threads(2)
    meta, waves = crossval.unpack(args.pack)
    chosen = training_clips(meta, args.fold, np.random.default_rng(0))
    speakers = np.array([meta[i]["speaker"] for i in chosen])
    print(f"fold {args.fold}: {len(chosen)} clips of {len(set(speakers))} training speakers, chance "
          f"{1 / len(set(speakers)):.3f}")
    for model in args.models:
        run, recipe = model.rsplit(":", 1)
        x = embeddings(run, recipe, args.fold, [waves[i] for i in chosen])
        print(f"{recipe:>12} ({run}): speaker probe accuracy {probe_accuracy(x, speakers):.3f}")


if __name__ == "__main__":
    main()
