"""Train SpeechEmotion's models: a logistic-regression baseline and the CNN the service runs, both exported to ONNX.

    /usr/bin/python3 training/train.py --ravdess DIR --tess DIR --savee DIR [--crema-d DIR] --install

Steps: read the corpora -> split by speaker -> decode, trim and cache audio -> fit the baseline -> train the CNN on
production-like examples (progress per epoch) -> select and calibrate on validation speakers under the evaluation
variations -> evaluate on test speakers (clean, telephone, padded with room noise, raw untrimmed) ->
export ONNX (opset 17, metadata) -> write report, confusion matrices and reference cases. With --install the
models, report and references are copied into models/.
"""
import argparse
import hashlib
import json
import pickle
import platform
import shutil
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import allocator  # noqa: E402
import audio  # noqa: E402
import corpora  # noqa: E402
import evaluation  # noqa: E402
import export  # noqa: E402
from models import (EmotionCNN, LogMelFrontEnd, ServingModel, SpecAugment, StatisticsBaseline,  # noqa: E402
                    training_layout, utterance_statistics)

# --- Configuration -------------------------------------------------------------------------------------------
CONFIG = {
    "seed": 42,
    "epochs": 40,
    "batch_size": 32,
    "example_seconds": (1.5, 5.0),  # each batch's length: speech plus surrounding silence and noise
    "learning_rate": 3e-3,
    "weight_decay": 1e-3,
    "label_smoothing": 0.05,
    "cnn_channels": (16, 32, 64, 128),
    "torch_threads": 2,
}
ROOT = Path(__file__).resolve().parent.parent
LABEL_INDEX = {label: i for i, label in enumerate(corpora.LABELS)}


def log(message):
    print(message, flush=True)


# --- Data ----------------------------------------------------------------------------------------------------
def read_clips(args):
    clips = []
    for corpus, reader in corpora.READERS.items():
        folder = getattr(args, corpus.replace("-", "_"))
        if not folder:
            continue
        found = reader(folder)
        if not found:
            sys.exit(f"No {corpus} clips found under {folder}: is that the corpus's folder?")
        log(f"{corpus}: {len(found)} clips, {len({c.speaker for c in found})} speakers")
        clips += found
    if not clips:
        sys.exit("Give at least one corpus folder (--ravdess, --crema-d, --tess, --savee).")
    return clips


def load_waveforms(clips, cache_dir):
    """Decode every clip once and trim it: (trimmed, raw) pairs, cached on disk keyed by the file list."""
    key = hashlib.sha256(("v2\n" + "\n".join(c.path for c in clips)).encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"waveforms-{key}.pkl"
    if cache.exists():
        log(f"Using cached waveforms {cache}")
        with open(cache, "rb") as f:
            return pickle.load(f)
    started, waves = time.time(), []
    for i, clip in enumerate(clips):
        wave = audio.load(clip.path)
        trimmed = audio.trim_silence(wave)
        if len(trimmed) < audio.SAMPLE_RATE // 4:  # unusable recording: keep the whole clip rather than nothing
            trimmed = wave
        waves.append((trimmed, wave))
        if (i + 1) % 500 == 0:
            log(f"  decoded {i + 1}/{len(clips)} clips ({time.time() - started:.0f} s)")
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as f:
        pickle.dump(waves, f, protocol=pickle.HIGHEST_PROTOCOL)
    return waves


def write_split(clips, sides, out):
    on_sides = {}
    for clip in clips:
        on_sides.setdefault(clip.speaker, set()).add(sides[clip.speaker])
    overlap = sorted(s for s, v in on_sides.items() if len(v) > 1)
    if overlap:  # cannot happen by construction; the report states it was checked
        sys.exit(f"Speakers on two sides of the split: {overlap}")
    split = {side: sorted(s for s in on_sides if sides[s] == side) for side in ("train", "validation", "test")}
    (out / "split.json").write_text(json.dumps(split, indent=2))
    return split


# --- Baseline ------------------------------------------------------------------------------------------------
@torch.no_grad()
def statistics_features(frontend, waves):
    return np.stack([utterance_statistics(*frontend(torch.from_numpy(w)[None]))[0].numpy() for w in waves])


def fit_baseline(frontend, train, validation, seed):
    rng = np.random.default_rng(seed)
    # Each training clip trimmed and once as a production-like example, like the CNN sees them.
    x_train = statistics_features(frontend, [w for _, (trimmed, _) in train
                                             for w in (trimmed, audio.augment(trimmed, 4 * audio.SAMPLE_RATE, rng))])
    y_train = np.array([LABEL_INDEX[clip.label] for clip, _ in train for _ in range(2)])
    x_val = statistics_features(frontend, evaluation.variation_waves(validation, "padded_noisy"))
    y_val = np.array([LABEL_INDEX[clip.label] for clip, _ in validation])
    scaler = StandardScaler().fit(x_train)
    best = None
    for c in (0.01, 0.1, 1.0):
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
        model.fit(scaler.transform(x_train), y_train)
        score = evaluation.macro_f1(y_val, model.predict(scaler.transform(x_val)))
        log(f"  baseline C={c}: validation macro-F1 {score:.3f}")
        if best is None or score > best[0]:
            best = (score, c, model)
    _, c, model = best
    baseline = StatisticsBaseline()
    baseline.mean.copy_(torch.from_numpy(scaler.mean_.astype(np.float32)))
    baseline.scale.copy_(torch.from_numpy(scaler.scale_.astype(np.float32)))
    baseline.linear.weight.data.copy_(torch.from_numpy(model.coef_.astype(np.float32)))
    baseline.linear.bias.data.copy_(torch.from_numpy(model.intercept_.astype(np.float32)))
    return baseline.eval(), {"C": c}


# --- CNN -----------------------------------------------------------------------------------------------------
def class_weights(train):
    counts = Counter(clip.label for clip, _ in train)
    total = sum(counts.values())
    # Square-root inverse frequency: lifts rare classes without letting a few clips dominate.
    return torch.tensor([(total / (len(counts) * counts[label])) ** 0.5 for label in corpora.LABELS],
                        dtype=torch.float32)


def train_cnn(frontend, train, validation, config, rng):
    torch.manual_seed(config["seed"])
    cnn = training_layout(EmotionCNN(channels=config["cnn_channels"]))
    spec_augment = SpecAugment()
    optimiser = torch.optim.AdamW(cnn.parameters(), lr=config["learning_rate"],
                                  weight_decay=config["weight_decay"])
    steps_per_epoch = int(np.ceil(len(train) / config["batch_size"]))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config["learning_rate"],
                                                   epochs=config["epochs"], steps_per_epoch=steps_per_epoch)
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weights(train), label_smoothing=config["label_smoothing"])
    shortest, longest = (int(seconds * audio.SAMPLE_RATE) for seconds in config["example_seconds"])
    labels = np.array([LABEL_INDEX[clip.label] for clip, _ in train])
    best, history, started = None, [], time.time()
    for epoch in range(1, config["epochs"] + 1):
        cnn.train()
        spec_augment.train()
        order = rng.permutation(len(train))
        epoch_started, total_loss, correct = time.time(), 0.0, 0
        for b in range(steps_per_epoch):
            idx = order[b * config["batch_size"]:(b + 1) * config["batch_size"]]
            length = int(rng.integers(shortest, longest + 1))
            batch = np.stack([audio.augment(train[i][1][0], length, rng) for i in idx])
            target = torch.from_numpy(labels[idx])
            with torch.no_grad():
                features, mask = frontend(torch.from_numpy(batch))
            logits = cnn(spec_augment(features), mask)
            loss = loss_fn(logits, target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == target).sum().item()
        val = evaluation.selection_score(ServingModel(frontend, cnn.eval()), validation)
        elapsed = time.time() - started
        entry = {"epoch": epoch, "loss": total_loss / len(train), "train_accuracy": correct / len(train),
                 "val_accuracy": val["accuracy"], "val_macro_f1": val["macro_f1"],
                 "seconds": time.time() - epoch_started}
        history.append(entry)
        eta = elapsed / epoch * (config["epochs"] - epoch)
        log(f"epoch {epoch:3d}/{config['epochs']}  loss {entry['loss']:.3f}  train acc {entry['train_accuracy']:.3f}"
            f"  val acc {val['accuracy']:.3f}  val macro-F1 {val['macro_f1']:.3f} "
            f"({' '.join(f'{k} {v:.2f}' for k, v in val['per_variation'].items())})  {entry['seconds']:.0f} s"
            f"  (elapsed {elapsed / 60:.1f} min, ETA {eta / 60:.1f} min)")
        if best is None or val["macro_f1"] >= best[0]:
            best = (val["macro_f1"], epoch, {k: v.clone() for k, v in cnn.state_dict().items()})
    cnn.load_state_dict(best[2])
    log(f"Best validation macro-F1 {best[0]:.3f} at epoch {best[1]}")
    return cnn.eval(), history, best[1]


# --- Main ----------------------------------------------------------------------------------------------------
def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for corpus in corpora.READERS:
        p.add_argument(f"--{corpus}", help=f"folder of the {corpus} download (Kaggle layout)")
    p.add_argument("--out", default=str(ROOT / "training" / "runs" / "latest"), help="run folder")
    p.add_argument("--cache", default=str(ROOT / "training" / ".cache"), help="decoded-audio cache folder")
    p.add_argument("--install", action="store_true", help="copy models, report and references into models/")
    p.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    p.add_argument("--seed", type=int, default=CONFIG["seed"])
    p.add_argument("--example-seconds", default=",".join(map(str, CONFIG["example_seconds"])),
                   help="shortest,longest training example in seconds (each batch draws one length)")
    p.add_argument("--channels", default=",".join(map(str, CONFIG["cnn_channels"])),
                   help="CNN channels per conv block, e.g. 16,32,64,128")
    p.add_argument("--model-version", default=None, help="defaults to cnn-YYYYMMDD-s<seed>")
    return p.parse_args()


def main():
    args = parse_args()
    config = dict(CONFIG, epochs=args.epochs, seed=args.seed,
                  example_seconds=tuple(float(x) for x in args.example_seconds.split(",")),
                  cnn_channels=tuple(int(c) for c in args.channels.split(",")))
    allocator.flush_denormals()  # before torch starts its threads, which inherit it
    torch.set_num_threads(config["torch_threads"])
    torch.manual_seed(config["seed"])
    rng = np.random.default_rng(config["seed"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    run_started = time.time()

    clips = read_clips(args)
    sides = corpora.split_speakers(clips, seed=config["seed"])
    split = write_split(clips, sides, out)
    log(f"Split by speaker (none on two sides): {len(split['train'])} train, {len(split['validation'])} "
        f"validation, {len(split['test'])} test speakers; test = {', '.join(split['test'])}")
    waves = load_waveforms(clips, args.cache)
    data = {side: [(c, w) for c, w in zip(clips, waves) if sides[c.speaker] == side]
            for side in ("train", "validation", "test")}
    if not data["validation"]:  # tiny data sets (tests): fall back to test speakers for model selection only
        data["validation"] = data["test"]
    log(f"Clips: {len(data['train'])} train, {len(data['validation'])} validation, {len(data['test'])} test")

    frontend = LogMelFrontEnd().eval()
    log("Fitting the baseline (logistic regression on utterance statistics)...")
    baseline, baseline_info = fit_baseline(frontend, data["train"], data["validation"], config["seed"])
    log("Training the CNN...")
    cnn, history, best_epoch = train_cnn(frontend, data["train"], data["validation"], config, rng)
    temperature = evaluation.fit_temperature(ServingModel(frontend, cnn), data["validation"])
    log(f"Temperature scaling on validation speakers: T = {temperature:.3f}")
    training_minutes = (time.time() - run_started) / 60

    version = args.model_version or f"cnn-{date.today():%Y%m%d}-s{config['seed']}"
    served = {"cnn": ServingModel(frontend, cnn, temperature).eval(),
              "baseline": ServingModel(frontend, baseline).eval()}
    results = {"cnn": evaluation.full_report(served["cnn"], data["test"], temperature=temperature),
               "baseline": evaluation.full_report(served["baseline"], data["test"])}
    summary = {
        "corpora": {c: {side: sum(1 for clip, _ in data[side] if clip.corpus == c) for side in data}
                    for c in sorted({clip.corpus for clip in clips})},
        "split": split, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()},
        "augmentation": audio.AUGMENTATION, "baseline": baseline_info, "best_epoch": best_epoch,
        "temperature": temperature, "history": history, "training_minutes": training_minutes,
        "model_version": version, "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads",
        "malloc_heap_settings": allocator.applied(),
        "results": results,
    }
    files = export.export_all(served, version, summary, out)
    summary["files"] = files
    (out / "report.json").write_text(json.dumps(summary, indent=2))
    evaluation.write_report(summary, out)
    log(f"Run written to {out} in {(time.time() - run_started) / 60:.1f} min")
    for name in served:
        r = results[name]["clean"]["all"]
        log(f"{name}: test accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}; "
            f"RAVDESS {results[name]['clean'].get('ravdess', {}).get('accuracy', float('nan')):.3f}; "
            f"telephone {results[name]['telephone']['all']['accuracy']:.3f}; "
            f"padded_noisy {results[name]['padded_noisy']['all']['accuracy']:.3f}; "
            f"raw {results[name]['raw']['all']['accuracy']:.3f}")
    if args.install:
        install(out)


def install(out):
    models = ROOT / "models"
    (models / "reference").mkdir(parents=True, exist_ok=True)
    for name in ["emotion-cnn.onnx", "emotion-baseline.onnx", "REPORT.md", "report.json", "split.json",
                 "confusion-cnn.png", "confusion-baseline.png"]:
        shutil.copy(out / name, models / name)
    shutil.copytree(out / "reference", models / "reference", dirs_exist_ok=True)
    log(f"Installed into {models}")


if __name__ == "__main__":
    allocator.reexec_with_heap_settings()
    main()
