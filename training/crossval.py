"""Cross-validation by speaker, on a GPU when there is one: which training recipe generalises to voices it never heard.

    # here: pack the corpora into one small file (8 kHz G.711 mu-law: the telephone band the model hears)
    /usr/bin/python3 training/crossval.py pack --ravdess DIR --tess DIR --savee DIR --out .pack
    # anywhere with torch (CPU works, a GPU is ~20x faster): every recipe x fold, then the best recipe on everyone
    python3 training/crossval.py run --pack .pack/ravdess.npz,.pack/savee.npz,.pack/tess.npz --out DIR [--epochs 40] [--recipes v2,mixup,wide]
    # only the shipped model (a recipe already cross-validated): every speaker, its temperature from that run
    python3 training/crossval.py run --pack ... --out DIR --recipes v2 --final-only --final-seeds 42 --calibration models/crossval.json
    # a recipe's cross-validation alone (figures, temperature), e.g. while its final model trains beside it
    python3 training/crossval.py run --pack ... --out DIR --recipes v2 --epochs 50 --final-seeds ''
    # two recipes' fold models scored on the same clips (training/service_crossval.sh), compared clip by clip
    python3 training/crossval.py paired A/service-fold4.json B/service-fold4.json [--corpus ravdess]
    # accuracy by signal-to-noise band under each room-noise level of service evaluations (folds pooled)
    python3 training/crossval.py noise-snr A/service-fold3.json A/service-fold4.json --corpus ravdess
    # recipe variations measured and not adopted (model card): --speech-peak-dbfs=-45,-1, --without-calm

Folds: RAVDESS actors k+1, k+6, k+11, k+16 (two men, two women) form fold k of 5; SAVEE's four speakers and TESS's
two are spread over the folds. Each (recipe, fold) model trains a fixed number of epochs on the other folds' speakers
(no early stopping, so nothing is tuned on the speakers it is scored on) and scores its own fold's clips under the
production variations. The recipe with the best pooled out-of-fold macro-F1 is then trained on every speaker with
three seeds; its out-of-fold probabilities give the temperature (cross-validated calibration).

Training examples come from a pool built once: each clip, `--versions` times through `audio.augment_with_span`
(4 s, speech at a random place, noise floors, phone line), cropped per batch to 1.5-4 s around the speech.
Writes DIR/crossval.json (every figure) and DIR/weights.pt (every fold's and the final models' state dicts).
It re-runs itself once with glibc malloc settings that make CPU training faster (allocator.py).
"""
import argparse
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import torch
from scipy import signal, stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import allocator  # noqa: E402
import audio  # noqa: E402
import evaluation  # noqa: E402
from corpora import LABELS, is_ravdess_calm  # noqa: E402
from models import (N_BINS, N_USED_BINS, PCEN_ALPHA, CalmFoldedIntoNeutral, EmotionCNN,  # noqa: E402
                    LogMelFrontEnd, SpeakerAdversary, SpecAugment, ServingModel, channel_eq_gains, mel_filterbank,
                    training_layout)

RECIPES = {
    "v2": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42},
    "mixup": {"channels": (16, 32, 64, 128), "mixup": 0.4, "seed": 42},
    "mixup-s2": {"channels": (16, 32, 64, 128), "mixup": 0.4, "seed": 7},
    "wide": {"channels": (32, 64, 128, 256), "mixup": 0.4, "seed": 42},
    # v2 with the front end's floor 20 dB below the speech (LogMelFrontEnd.floor_db; chosen with a linear probe on
    # RAVDESS fold 4 against 30 dB, a per-band floor and none)
    "floor20": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "floor_db": 20.0},
    # v2 with each band's delta as a second input plane (EmotionCNN's deltas)
    "deltas": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "deltas": True},
    # v2 drawing each epoch's clips with weight n_speaker ** -0.5 (epoch_order): TESS's two speakers hold half the
    # clips, so without it a model hears two voices for every one of RAVDESS's twenty
    "balanced": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5},
    # balanced with another seed: its spread from seed 42, and the two as one graph (`crossval.py export --name a+b`)
    "balanced-s7": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 7, "speaker_power": 0.5},
    # balanced with every speaker an equal share (power 1): RAVDESS about three quarters of an epoch, TESS a tenth
    "balanced-p1": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 1.0},
    # balanced with RAVDESS's calm trained as an eighth class and folded into neutral in the graph
    # (CalmFoldedIntoNeutral): neutral need not cover calm's quiet, low-arousal speech, which sad shares
    "calm-class": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5, "calm_class": True},
    # balanced with a speaker adversary on the pooled features (SpeakerAdversary; its reversed gradient's weight
    # ramps to 0.3, adversary_scale): features that name the speaker are pushed out. 0.3 set before any figure
    "adversary": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                  "speaker_adversary": 0.3},
    # a stronger adversary (fifteenth session, after the first left the speaker as readable to a linear probe):
    # weight 1, no dropout, 3 more updates of the adversary alone on each batch's features (adversary_catch_up)
    "adversary-strong": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                         "speaker_adversary": 1.0, "adversary_dropout": 0.0, "adversary_steps": 3},
    # balanced with each example's spectrum stretched by a factor of 0.9-1.1 before the mel filters (models.vtlp_warp):
    # new voices from the same speakers, the tempo kept. The range is Jaitly & Hinton's, set before any figure
    "vtlp": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5, "vtlp": (0.9, 1.1)},
    # balanced with the last block's four frequency rows pooled each on their own (EmotionCNN's keep_bands), after
    # vtlp cost happy 20 points: where in the spectrum a pattern lies may matter, and the mean over rows drops it
    "bands": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5, "keep_bands": True},
    # bands (v6's recipe) with another seed: its five folds give the seed spread of a five-fold figure
    "bands-s7": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 7, "speaker_power": 0.5, "keep_bands": True},
    # bands on per-channel energy normalisation instead of the log-mel (LogMelFrontEnd's pcen): each band against its
    # own recent past, so a steady noise floor stops filling the spectrum's valleys (the -50 dBFS row), two seeds
    "bands-pcen": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5, "keep_bands": True,
                   "pcen": True},
    "bands-pcen-s7": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 7, "speaker_power": 0.5,
                      "keep_bands": True, "pcen": True},
    # bands-pcen (v7's recipe) with PCEN's exponent at 0.8 instead of 0.98: each band keeps a fifth of its long-term
    # log level, the spectral tilt that a sad voice shows and a gain per band removes (v7's TESS sad fell 0.71 -> 0.35)
    "bands-pcen-a80": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                       "keep_bands": True, "pcen": True, "pcen_alpha": 0.8},
    # bands with PCEN beside the log-mel as a second input plane (LogMelFrontEnd's pcen_plane), after PCEN alone cost
    # 2 points clean and 11 on TESS but halved the angry + disgust the calls were heard as: the CNN gets both views
    "bands-pcen-plane": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                         "keep_bands": True, "pcen_plane": True},
    # bands with each training example's spectrum coloured by a random smooth gain curve (models.channel_eq_gains):
    # PCEN, which flattens each band's long-term level, halved the angry + disgust the calls were heard as, so a
    # line's colouring may be what the log-mel CNN reads as anger; here it learns that colouring says nothing
    "bands-eq": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5, "keep_bands": True,
                 "channel_eq": True},
    "bands-eq-s7": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 7, "speaker_power": 0.5, "keep_bands": True,
                    "channel_eq": True},
    # bands-pcen (v7's recipe) with the CNN's weights averaged over its last 25 epochs, then BatchNorm's statistics
    # recomputed for them (stochastic weight averaging, Izmailov et al. 2018; SWAD found such averages generalise to
    # unseen domains, here unseen speakers). Same seed and schedule, so its last weights are v7's recipe's: saved
    # beside it (last_weights_path), the pair measures the averaging alone
    "bands-pcen-swa": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                       "keep_bands": True, "pcen": True, "average_epochs": 25},
    # bands-pcen-swa's untried half (twenty-seventh session): SWA as Izmailov et al. run it, the learning rate held
    # where v7's schedule has it after epoch 35 (about 0.4 of its peak) instead of annealed to nearly zero, and the
    # weights averaged over epochs 36-50. Epochs 1-35 are v7's recipe's bit for bit, so the pair with v7's recipe's
    # last weights still measures the last 15 epochs alone, not a seed's spread. 15 set before any figure
    "bands-pcen-swa-hold": {"channels": (16, 32, 64, 128), "mixup": 0.0, "seed": 42, "speaker_power": 0.5,
                            "keep_bands": True, "pcen": True, "average_epochs": 15, "hold_learning_rate": True},
}
TRAINING = {"batch_size": 32, "learning_rate": 3e-3, "weight_decay": 1e-3, "label_smoothing": 0.05,
            "example_seconds": (1.5, 4.0)}
POOL_SECONDS = 4.0
EVAL_VARIATIONS = ("clean", "telephone", "padded_quiet", "padded_noisy")
N_FOLDS = 5
FINAL_SEEDS = (42, 7, 1234)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Pack: the corpora as 8 kHz mu-law, small enough to travel -----------------------------------------------
def mulaw_codes(wave):
    compressed = np.sign(wave) * np.log1p(audio.MU * np.abs(wave)) / np.log1p(audio.MU)
    return np.round((compressed + 1) / 2 * 255).astype(np.uint8)


def mulaw_wave(codes):
    compressed = codes.astype(np.float32) / 255 * 2 - 1
    return np.sign(compressed) * ((1 + audio.MU) ** np.abs(compressed) - 1) / audio.MU


def pack(args):
    import train
    clips = train.read_clips(args)
    waves = train.load_waveforms(clips, args.cache)
    codes, peaks = [], []
    for trimmed, _ in waves:
        narrow = signal.resample_poly(trimmed, 1, 2)
        peak = float(np.abs(narrow).max()) + 1e-9
        codes.append(mulaw_codes(narrow / peak * 0.99))
        peaks.append(peak / 0.99)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for corpus in sorted({c.corpus for c in clips}):  # one file per corpus: each small enough to travel alone
        mine = [i for i, c in enumerate(clips) if c.corpus == corpus]
        meta = [{"path": clips[i].path, "corpus": corpus, "speaker": clips[i].speaker, "gender": clips[i].gender,
                 "label": clips[i].label} for i in mine]
        path = out / f"{corpus}.npz"
        write_pack(path, [codes[i] for i in mine], [peaks[i] for i in mine], meta)
        log(f"packed {len(mine)} {corpus} clips into {path} ({path.stat().st_size / 1e6:.1f} MB)")


# Format 2 (2026-12-04): each code stored as its step from the one before (mod 256), since neighbouring samples of
# speech are close and the steps compress better, with lzma's strongest preset; the clips' JSON as lzma'd UTF-8, not
# a numpy string (4 bytes a character: 1.7 MB of TESS's pack). The three corpora then pack into 56 MB instead of 60,
# small enough to travel beside the repository to a lent GPU machine (64 MiB in all). Packs without `format` are 1.
PACK_FORMAT = 2
PACK_PRESET = 9 | lzma.PRESET_EXTREME


def delta_codes(codes):
    return np.diff(codes, prepend=np.uint8(0))  # uint8 arithmetic wraps: the step mod 256


def undelta_codes(steps):
    return np.cumsum(steps, dtype=np.uint8)  # wraps as delta_codes did


def write_pack(path, codes, peaks, meta):
    """One corpus's pack file (format 2): each clip's 8 kHz mu-law codes, the peak they were scaled from, its facts."""
    blob = lzma.compress(delta_codes(np.concatenate(codes)).tobytes(), preset=PACK_PRESET)
    np.savez(path, audio=np.frombuffer(blob, np.uint8), peaks=np.array(peaks, np.float32),
             lengths=np.array([len(c) for c in codes], np.int64),
             meta=np.frombuffer(lzma.compress(json.dumps(meta).encode()), np.uint8), format=np.array(PACK_FORMAT))


def unpack(paths):
    meta, waves = [], []
    for path in paths.split(","):
        data = np.load(path)
        codes = np.frombuffer(lzma.decompress(data["audio"].tobytes()), np.uint8)
        if "format" in data and int(data["format"]) == PACK_FORMAT:
            codes = undelta_codes(codes)
            meta += json.loads(lzma.decompress(data["meta"].tobytes()))
        else:  # format 1: the codes themselves, the JSON as a numpy string
            meta += json.loads(str(data["meta"]))
        offset = 0
        for length, peak in zip(data["lengths"], data["peaks"]):
            narrow = mulaw_wave(codes[offset: offset + length]) * peak
            waves.append(signal.resample_poly(narrow, 2, 1).astype(np.float32))
            offset += length
    return meta, waves


def fold_of(clip):
    speaker = clip["speaker"].split(":")[-1]  # "ravdess:07", "savee:JE", "tess:OAF"
    if clip["corpus"] == "ravdess":
        return (int(speaker) - 1) % N_FOLDS
    if clip["corpus"] == "savee":
        return ["DC", "JE", "JK", "KL"].index(speaker)
    if clip["corpus"] == "tess":
        return 1 if speaker.endswith("OAF") else 3
    raise ValueError(f"no fold rule for {clip['corpus']}")


# --- The pool of augmented examples (built once, shared by every training process through a memory map) -----
def _fill_pool(task):
    path, shape, index, wave, versions, seed, speech_peak_dbfs = task
    pool = np.lib.format.open_memmap(path, mode="r+")
    rng = np.random.default_rng([seed, index])
    spans = []
    for v in range(versions):
        example, start, end = audio.augment_with_span(wave, shape[2], rng, speech_peak_dbfs)
        pool[index, v] = example.astype(np.float16)
        spans.append((start, end))
    pool.flush()
    return index, spans


def build_pool(waves, folder, versions, seed, processes, speech_peak_dbfs=audio.SPEECH_PEAK_DBFS):
    length = int(POOL_SECONDS * audio.SAMPLE_RATE)
    path = str(folder / "pool.npy")
    shape = (len(waves), versions, length)
    np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=shape).flush()
    spans = np.zeros((len(waves), versions, 2), np.int64)
    tasks = [(path, shape, i, w, versions, seed, speech_peak_dbfs) for i, w in enumerate(waves)]
    with Pool(processes) as workers:
        for done, (i, s) in enumerate(workers.imap_unordered(_fill_pool, tasks, chunksize=16), 1):
            spans[i] = s
            if done % 1000 == 0:
                log(f"  pool: {done}/{len(waves)} clips")
    np.save(folder / "spans.npy", spans)
    return path


# --- One training process: a recipe on some speakers, scored on others -----------------------------------------
def crop_batch(pool, spans, idx, length, rng):
    versions = rng.integers(0, pool.shape[1], len(idx))
    batch = np.empty((len(idx), length), np.float32)
    for row, (i, v) in enumerate(zip(idx, versions)):
        start, end = spans[i, v]
        centre = (start + end) // 2
        lo, hi = max(0, centre - length + length // 4), min(pool.shape[2] - length, centre - length // 4)
        offset = int(rng.integers(lo, hi + 1)) if lo <= hi else int(np.clip(centre - length // 2, 0, pool.shape[2] - length))
        batch[row] = pool[i, v, offset: offset + length]
    return batch


def speaker_weights(train_idx, speakers, power):
    """Each training clip's share of an epoch: n_speaker ** -power, normalised. 0 leaves every clip equal; 1 gives
    every speaker the same share, however many clips they recorded."""
    names = np.array([speakers[i] for i in train_idx])
    _, inverse, counts = np.unique(names, return_inverse=True, return_counts=True)
    weights = counts[inverse].astype(np.float64) ** -power
    return weights / weights.sum()


def epoch_order(train_idx, draw, rng):
    """One epoch's clips: a permutation of the training clips, or as many drawn with the chances `draw` (with
    replacement; speaker_weights)."""
    if draw is None:
        return rng.permutation(train_idx)
    return rng.choice(train_idx, size=len(train_idx), p=draw)


def training_classes(recipe):
    """How many classes the recipe's CNN trains: the seven labels, and calm with calm_class (training_labels)."""
    return len(LABELS) + bool(recipe.get("calm_class"))


def front_end_settings(recipe):
    """A recipe's LogMelFrontEnd arguments (an ensemble's members may differ: export.join_graphs gives each its own)."""
    return {"floor_db": recipe.get("floor_db"), "pcen": recipe.get("pcen", False),
            "pcen_plane": recipe.get("pcen_plane", False), "pcen_alpha": recipe.get("pcen_alpha", PCEN_ALPHA)}


def recipe_modules(recipe):
    """A recipe's front end and (untrained) CNN: what training builds and export rebuilds around the weights."""
    plane = recipe.get("pcen_plane", False)
    return (LogMelFrontEnd(**front_end_settings(recipe)),
            EmotionCNN(channels=recipe["channels"], n_classes=training_classes(recipe), deltas=recipe.get("deltas", False),
                       keep_bands=recipe.get("keep_bands", False), planes=2 if plane else 1))


def serving_classifier(recipe, cnn):
    """The CNN as the graph serves it: seven labels (a calm_class recipe's calm folded into neutral)."""
    return CalmFoldedIntoNeutral(cnn) if recipe.get("calm_class") else cnn


def training_labels(job, recipe):
    """Each clip's class index as the recipe trains it: the seven labels, RAVDESS's calm its own eighth with calm_class."""
    labels = np.array(job["labels"])
    if recipe.get("calm_class"):
        labels[np.array(job["calm"], bool)] = len(LABELS)
    return labels


def speaker_indices(speakers):
    """Each clip's speaker as a class index for SpeakerAdversary, and how many speakers there are."""
    names, inverse = np.unique(np.array(speakers), return_inverse=True)
    return inverse, len(names)


def adversary_scale(weight, progress):
    """The reversed gradient's weight at `progress` (0..1) through training: DANN's ramp from 0 to `weight`, so the
    adversary first learns to name speakers before the CNN is pushed away from them."""
    return weight * (2 / (1 + np.exp(-10 * progress)) - 1)


def speaker_adversary(recipe, cnn, speakers, device):
    """A recipe's SpeakerAdversary on the CNN's pooled statistics, each clip's speaker index for it, and the optimiser
    of its catch-up updates (adversary_steps): (None, None, None) for a recipe without one."""
    if not recipe.get("speaker_adversary"):
        return None, None, None
    speaker_ids, n_speakers = speaker_indices(speakers)
    adversary = SpeakerAdversary(cnn.embed_size, n_speakers,
                                 dropout=recipe.get("adversary_dropout", 0.3)).to(device)
    catch_up = torch.optim.AdamW(adversary.parameters(), lr=1e-3) if recipe.get("adversary_steps") else None
    return adversary, speaker_ids, catch_up


def adversary_catch_up(adversary, optimiser, embedding, speaker, steps):
    """Updates of the adversary alone on the batch's features, detached: it keeps up with a CNN that moves to escape
    it, so the CNN must take the speaker out rather than outrun one adversary."""
    for _ in range(steps):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(adversary(embedding.detach(), 0.0), speaker).backward()
        optimiser.step()


VTLP_STEPS = 21  # stretch factors evenly over a vtlp recipe's range, the middle one 1 (the graph's own filters)


def vtlp_filterbanks(recipe, bins, device="cpu"):
    """The mel filters of a vtlp recipe's stretch factors, [VTLP_STEPS, bins, mels] (one drawn per example); None for
    a recipe without vtlp."""
    if not recipe.get("vtlp"):
        return None
    factors = np.linspace(*recipe["vtlp"], VTLP_STEPS)
    return torch.from_numpy(np.stack([mel_filterbank(f)[:bins] for f in factors])).to(device)


def train_model(job, device):
    recipe = RECIPES[job["recipe"]]
    seed = job.get("seed", recipe["seed"])
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pool = np.load(job["pool"], mmap_mode="r")
    spans = np.load(job["spans"])
    labels = training_labels(job, recipe)
    classes = training_classes(recipe)
    train_idx = np.array(job["train"])
    started = time.time()
    frontend, cnn = recipe_modules(recipe)
    frontend, cnn = frontend.to(device).eval(), training_layout(cnn.to(device))
    spec_augment = SpecAugment()
    filterbanks = vtlp_filterbanks(recipe, frontend.bins, device)
    steps = int(np.ceil(len(train_idx) / TRAINING["batch_size"]))
    adversary, speaker_ids, catch_up = speaker_adversary(recipe, cnn, job["speakers"], device)
    trained = list(cnn.parameters()) + (list(adversary.parameters()) if adversary else [])
    optimiser = torch.optim.AdamW(trained, lr=TRAINING["learning_rate"], weight_decay=TRAINING["weight_decay"])
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=TRAINING["learning_rate"],
                                                   epochs=job["epochs"], steps_per_epoch=steps)
    power = recipe.get("speaker_power", 0.0)
    draw = speaker_weights(train_idx, job["speakers"], power) if power else None  # each clip's chance, every epoch
    counts = np.bincount(labels[train_idx], minlength=classes) if draw is None else \
        np.bincount(labels[train_idx], weights=draw, minlength=classes) * len(train_idx)  # the classes as drawn
    weights = torch.tensor((len(train_idx) / (classes * np.maximum(counts, 1))) ** 0.5, dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.to(device), label_smoothing=TRAINING["label_smoothing"])
    average = WeightAverage() if recipe.get("average_epochs") else None
    averaged_after = job["epochs"] - recipe.get("average_epochs", 0)  # the epochs after this one are averaged
    # hold_learning_rate: the schedule stops where the averaged epochs begin and the rate stays where it has it
    schedule_until = averaged_after if recipe.get("hold_learning_rate") else job["epochs"]
    for epoch in range(1, job["epochs"] + 1):
        cnn.train()
        spec_augment.train()
        if adversary:
            adversary.train()
        order, total, speaker_total, epoch_started = epoch_order(train_idx, draw, rng), 0.0, 0.0, time.time()
        for b, idx in enumerate(epoch_batches(order)):
            features, mask = example_features(frontend, pool, spans, idx, recipe, filterbanks, rng, device)
            target = torch.from_numpy(labels[idx]).to(device)
            features = spec_augment(features)
            if recipe["mixup"] > 0:
                lam = float(rng.beta(recipe["mixup"], recipe["mixup"]))
                perm = torch.from_numpy(rng.permutation(len(idx))).to(device)
                features = lam * features + (1 - lam) * features[perm]
                logits = cnn(features, torch.maximum(mask, mask[perm]))
                loss = lam * loss_fn(logits, target) + (1 - lam) * loss_fn(logits, target[perm])
            elif adversary:  # the recipes give no adversary together with mixup
                embedding = cnn.embed(features, mask)
                scale = adversary_scale(recipe["speaker_adversary"], (epoch - 1 + b / steps) / job["epochs"])
                speaker = torch.from_numpy(speaker_ids[idx]).to(device)
                speaker_loss = torch.nn.functional.cross_entropy(adversary(embedding, scale), speaker)
                speaker_total += speaker_loss.item() * len(idx)
                loss = loss_fn(cnn.head(embedding), target)
            else:
                loss = loss_fn(cnn(features, mask), target)
            optimiser.zero_grad()
            (loss + speaker_loss if adversary else loss).backward()
            optimiser.step()
            if epoch <= schedule_until:
                schedule.step()
            if catch_up:
                adversary_catch_up(adversary, catch_up, embedding, speaker, recipe["adversary_steps"])
            total += loss.item() * len(idx)
        if epoch % 10 == 0 or epoch in (1, job["epochs"]):
            adversary_says = f" (speaker adversary {speaker_total / len(train_idx):.3f})" if adversary else ""
            log(f"  {job['name']}: epoch {epoch}/{job['epochs']} loss {total / len(train_idx):.3f}{adversary_says} "
                f"({time.time() - started:.0f} s; this epoch {time.time() - epoch_started:.0f} s)")
        if average is not None and epoch > averaged_after:
            average.add(cnn)
    if average is not None:
        torch.save({k: v.cpu() for k, v in cnn.state_dict().items()}, last_weights_path(job))
        average.load_into(cnn)
        batches = (example_features(frontend, pool, spans, idx, recipe, filterbanks, rng, device)
                   for idx in epoch_batches(order))
        recompute_batch_norm(cnn, ((spec_augment(features), mask) for features, mask in batches))
        log(f"  {job['name']}: weights averaged over the last {average.count} epochs, BatchNorm recomputed")
    return frontend, cnn.eval()


def epoch_batches(order):
    """One epoch's clips (epoch_order) cut into training batches, the last one shorter."""
    size = TRAINING["batch_size"]
    return [order[i:i + size] for i in range(0, len(order), size)]


def example_features(frontend, pool, spans, idx, recipe, filterbanks, rng, device):
    """One training batch through the front end: crops of the clips' pooled versions (crop_batch) of one length drawn
    from TRAINING's example_seconds, each with its own stretched (vtlp) or coloured (channel_eq) filters."""
    shortest, longest = (int(s * audio.SAMPLE_RATE) for s in TRAINING["example_seconds"])
    batch = crop_batch(pool, spans, idx, int(rng.integers(shortest, longest + 1)), rng)
    mel = None
    if filterbanks is not None:  # each example's own stretch
        mel = filterbanks[torch.from_numpy(rng.integers(0, len(filterbanks), len(idx)))]
    if recipe.get("channel_eq"):  # each example's own colouring, on its filters' rows (the DFT bins)
        gains = torch.from_numpy(channel_eq_gains(len(idx), frontend.bins, rng)).to(device)
        mel = gains[:, :, None] * (frontend.mel if mel is None else mel)
    with torch.no_grad():
        return frontend(torch.from_numpy(batch).to(device), mel)


class WeightAverage:
    """The uniform mean of a model's parameters and BatchNorm statistics over the snapshots added (end of epochs)."""
    def __init__(self):
        self.sums, self.count = None, 0

    @torch.no_grad()
    def add(self, model):
        state = {k: v.detach().double() for k, v in model.state_dict().items() if v.is_floating_point()}
        self.sums = state if self.sums is None else {k: self.sums[k] + v for k, v in state.items()}
        self.count += 1

    @torch.no_grad()
    def load_into(self, model):
        for name, value in model.state_dict().items():
            if name in self.sums:
                value.copy_(self.sums[name] / self.count)


class TakesPairs(torch.nn.Module):
    """A model that takes (features, mask) called with the pair as one input, as torch.optim.swa_utils.update_bn
    calls a model."""
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pair):
        return self.model(*pair)


def recompute_batch_norm(model, batches):
    """BatchNorm's running statistics measured again (torch.optim.swa_utils.update_bn: the plain mean over `batches`,
    (features, mask) pairs), as an average of weights is a model no snapshot's statistics belong to; `model` is left
    in eval mode. update_bn calls the model on the first item of a list, so each pair goes in a list of one."""
    torch.optim.swa_utils.update_bn(([pair] for pair in batches), TakesPairs(model))
    model.eval()


def last_weights_path(job):
    """Where a weight-averaging job keeps its last epoch's weights: beside the run's models, in `last/` (out of
    save()'s glob, so not in weights.pt)."""
    path = Path(job["weights"]).parent / "last" / Path(job["weights"]).name
    path.parent.mkdir(exist_ok=True)
    return path


@torch.no_grad()
def score(frontend, cnn, waves, device):
    model = ServingModel(frontend, cnn).to(device).eval()
    return np.stack([model(torch.from_numpy(np.ascontiguousarray(w))[None].to(device))[0].cpu().numpy()
                     for w in waves])


def worker(args):
    job = json.loads(Path(args.job).read_text())
    allocator.flush_denormals()  # before torch starts its threads, which inherit it
    torch.set_num_threads(job.get("threads", 1))  # 1 per process on a GPU machine, the CPU's cores shared on a CPU
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.time()
    frontend, cnn = train_model(job, device)
    served = serving_classifier(RECIPES[job["recipe"]], cnn)  # scored with the seven labels, as the graph answers
    result = {"name": job["name"], "train_seconds": time.time() - started}
    if job.get("test"):
        waves = np.load(job["waves"], mmap_mode="r")
        offsets = job["offsets"]
        for v in EVAL_VARIATIONS:  # raw needs the untrimmed clip, which the pack leaves out: the service path scores it
            held_out = [audio.variation(v, np.array(waves[offsets[i]:offsets[i + 1]]), None, seed=i) for i in job["test"]]
            result.setdefault("probs", {})[v] = score(frontend, served, held_out, device).tolist()
    torch.save({k: v.cpu() for k, v in cnn.state_dict().items()}, job["weights"])
    Path(job["result"]).write_text(json.dumps(result))
    log(f"  {job['name']}: done in {time.time() - started:.0f} s")


# --- The parent: folds x recipes, then the winner on everyone -------------------------------------------------
def write_waves(waves, folder):
    """Every clip end to end in one file the training processes map, and where each one starts."""
    path = folder / "waves.npy"
    np.save(path, np.concatenate(waves))
    return str(path), np.concatenate([[0], np.cumsum([len(w) for w in waves])]).tolist()


def threads_per_job(threads, parallel, jobs, cores):
    """Torch threads for each training process: --threads if given, else the cores shared among the jobs that run
    at once. A lone job (a final with one seed, one fold) gets every core; it used to get cores / --parallel, one of
    two here. v5's final on one 2-core host: 30 epochs in 2354 s with two threads against 2728 s with one, the same
    losses (models/MODEL_CARD.md, "Training v5 on this 2-core machine")."""
    return threads or max(1, cores // max(1, min(parallel, jobs)))


def launch(jobs, folder, parallel, threads):
    """Runs the jobs, `parallel` at a time (on a CPU at most one per core), `threads` torch threads each
    (threads_per_job). A job whose result and weights are already in the work folder (an earlier run with the same
    --work, or one trained apart and copied there) is kept, not trained again."""
    cores = os.cpu_count() or 1
    parallel = parallel if torch.cuda.is_available() else min(parallel, cores)
    threads = threads_per_job(threads, parallel, len(jobs), cores)
    running, results = [], {}
    pending = list(jobs)
    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop(0)
            if Path(job["result"]).exists() and Path(job["weights"]).exists():  # resume: trained by an earlier run
                log(f"  {job['name']}: kept from {folder}")
                results[job["name"]] = json.loads(Path(job["result"]).read_text())
                continue
            job_file = folder / f"{job['name']}.job.json"
            job_file.write_text(json.dumps(dict(job, threads=threads)))
            running.append((job, subprocess.Popen([sys.executable, __file__, "worker", "--job", str(job_file)])))
        time.sleep(1)
        for job, process in list(running):
            if process.poll() is None:
                continue
            running.remove((job, process))
            if process.returncode != 0:
                sys.exit(f"{job['name']} failed with exit code {process.returncode}")
            results[job["name"]] = json.loads(Path(job["result"]).read_text())
    return results


def figures(probs, y, corpora):
    out = {}
    for corpus in ["all"] + sorted(set(corpora)):
        keep = np.ones(len(y), bool) if corpus == "all" else np.array(corpora) == corpus
        pred = probs[keep].argmax(1)
        recall = [float((pred[y[keep] == k] == k).mean()) if (y[keep] == k).any() else None for k in range(len(LABELS))]
        out[corpus] = {"accuracy": float((pred == y[keep]).mean()), "macro_f1": evaluation.macro_f1(y[keep], pred),
                       "recall": dict(zip(LABELS, recall)), "clips": int(keep.sum())}
    return out


def trainable_clips(args, meta):
    """Which clips models may train on: all, or all but RAVDESS's calm with --without-calm (every clip is still scored)."""
    return [not (args.without_calm and is_ravdess_calm(c["path"])) for c in meta]


def run(args):
    folder = Path(args.out)
    work = Path(args.work)
    folder.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    meta, waves = unpack(args.pack)
    if args.limit:  # smoke tests: every n-th clip
        meta, waves = meta[::len(meta) // args.limit], waves[::len(waves) // args.limit]
    labels = [LABELS.index(c["label"]) for c in meta]
    folds = [fold_of(c) for c in meta]
    log(f"{len(meta)} clips unpacked; fold sizes {np.bincount(folds).tolist()}; cuda {torch.cuda.is_available()}")
    pool = build_pool(waves, work, args.versions, args.seed, args.processes, args.speech_peak_dbfs)
    spans = str(work / "spans.npy")
    waves_path, offsets = write_waves(waves, work)
    log(f"pool of {args.versions} versions per clip ready ({time.time() - started:.0f} s)")
    recipes = args.recipes.split(",")
    base = {"pool": pool, "spans": spans, "labels": labels, "calm": [is_ravdess_calm(c["path"]) for c in meta],
            "speakers": [c["speaker"] for c in meta],
            "epochs": args.epochs, "waves": waves_path, "offsets": offsets}
    if args.final_only:
        return train_final(args, recipes[0], base, meta, work, folder, started)
    chosen = [int(k) for k in args.folds.split(",")] if args.folds else list(range(N_FOLDS))
    trainable = trainable_clips(args, meta)
    jobs = []
    for recipe in recipes:
        for k in chosen:
            name = f"{recipe}-fold{k}"
            jobs.append(dict(base, name=name, recipe=recipe, weights=str(work / f"{name}.pt"),
                             result=str(work / f"{name}.json"),
                             train=[i for i, f in enumerate(folds) if f != k and trainable[i]],
                             test=[i for i, f in enumerate(folds) if f == k]))
    results = launch(jobs, work, args.parallel, args.threads)
    log(f"cross-validation done ({time.time() - started:.0f} s)")
    if len(chosen) < N_FOLDS:
        return save_some_folds(args, recipes, chosen, results, meta, folds, work, folder, started)

    corpora = [c["corpus"] for c in meta]
    report = {"recipes": {}, "folds": {k: sorted({c["speaker"] for c, f in zip(meta, folds) if f == k})
                                       for k in range(N_FOLDS)},
              "epochs": args.epochs, "versions": args.versions, "training": TRAINING,
              "recipe_settings": {r: {**RECIPES[r], "channels": list(RECIPES[r]["channels"])} for r in recipes}}
    oof = {}
    # v3's ensemble of two mixup seeds, scored here by averaging their probabilities; `export --name a+b` builds a
    # graph that averages logits instead (export.join_graphs), which is what a served ensemble would be
    for recipe in recipes + (["ensemble:mixup+mixup-s2"] if {"mixup", "mixup-s2"} <= set(recipes) else []):
        members = recipe.split(":")[1].split("+") if recipe.startswith("ensemble:") else [recipe]
        probs = {v: np.zeros((len(meta), len(LABELS))) for v in EVAL_VARIATIONS}
        for member in members:
            for k in range(N_FOLDS):
                r = results[f"{member}-fold{k}"]
                test = [i for i, f in enumerate(folds) if f == k]
                for v in EVAL_VARIATIONS:
                    probs[v][test] += np.array(r["probs"][v]) / len(members)
        oof[recipe] = probs
        per_variation = {v: figures(probs[v], np.array(labels), corpora) for v in EVAL_VARIATIONS}
        report["recipes"][recipe] = {
            "mean_macro_f1": float(np.mean([per_variation[v]["all"]["macro_f1"] for v in EVAL_VARIATIONS])),
            "mean_ravdess_accuracy": float(np.mean([per_variation[v]["ravdess"]["accuracy"] for v in EVAL_VARIATIONS])),
            "variations": per_variation}
        log(f"{recipe}: mean OOF macro-F1 {report['recipes'][recipe]['mean_macro_f1']:.3f}, RAVDESS accuracy "
            f"{report['recipes'][recipe]['mean_ravdess_accuracy']:.3f} "
            "(" + " ".join(f"{v} {per_variation[v]['all']['macro_f1']:.3f}" for v in EVAL_VARIATIONS) + ")")

    best = max(recipes, key=lambda r: report["recipes"][r]["mean_macro_f1"])
    report["best_recipe"] = best
    for name in (best, "ensemble:mixup+mixup-s2"):
        if name in oof:
            report["recipes"][name]["temperature"] = fit_temperature(oof[name], np.array(labels))
    save(report, args, work, folder, started)  # the folds' figures and weights, in case the final training is cut short
    train_final(args, best, base, meta, work, folder, started, report)


def fit_temperature(probs, y):
    """The temperature (0.50..4.99) that minimises the held-out clips' log loss over every variation of them."""
    stacked = np.concatenate([probs[v] for v in EVAL_VARIATIONS])
    y = np.concatenate([y] * len(EVAL_VARIATIONS))
    return min(((-np.log(evaluation.rescale(stacked, 1 / t)[np.arange(len(y)), y] + 1e-12).mean(), round(float(t), 2))
                for t in np.arange(0.5, 5.0, 0.01)))[1]


def save_some_folds(args, recipes, chosen, results, meta, folds, work, folder, started):
    """--folds: a quick comparison on some folds. Each fold model's own figures and a temperature fitted on the chosen
    folds' clips; no final model (the fold models go to weights.pt, for `service_crossval.sh` to score through the
    service)."""
    labels = np.array([LABELS.index(c["label"]) for c in meta])
    corpora = [c["corpus"] for c in meta]
    report = {"recipes": {r: {"folds": {}} for r in recipes}, "epochs": args.epochs,
              "versions": args.versions, "training": TRAINING, "some_folds": chosen,
              "folds": {k: sorted({c["speaker"] for c, f in zip(meta, folds) if f == k}) for k in chosen}}
    for recipe in recipes:
        held_out = []
        for k in chosen:
            test = [i for i, f in enumerate(folds) if f == k]
            probs = results[f"{recipe}-fold{k}"]["probs"]
            held_out.append((test, probs))
            report["recipes"][recipe]["folds"][k] = {
                v: figures(np.array(probs[v]), labels[test], [corpora[i] for i in test]) for v in EVAL_VARIATIONS}
            clean = report["recipes"][recipe]["folds"][k]["clean"]["all"]
            log(f"{recipe}-fold{k}: clean accuracy {clean['accuracy']:.3f}, macro-F1 {clean['macro_f1']:.3f}")
        pooled = {v: np.concatenate([np.array(p[v]) for _, p in held_out]) for v in EVAL_VARIATIONS}
        temperature = fit_temperature(pooled, np.concatenate([labels[t] for t, _ in held_out]))
        report["recipes"][recipe]["temperature"] = temperature
        log(f"{recipe}: temperature {temperature} on folds {chosen}")
    save(report, args, work, folder, started)


def train_final(args, recipe, base, meta, work, folder, started, report=None):
    """The recipe on every speaker. Without a cross-validation report (--final-only) the temperature comes from
    --calibration, the crossval.json of a run that cross-validated the same recipe."""
    if report is None:
        calibrated = json.loads(Path(args.calibration).read_text())["recipes"][recipe] if args.calibration else {}
        report = {"recipes": {recipe: {"temperature": calibrated.get("temperature", 1.0)}}, "folds": {},
                  "epochs": args.epochs, "versions": args.versions, "training": TRAINING, "final_only": True}
    seeds = [int(s) for s in args.final_seeds.split(",") if s]
    if not seeds:  # --final-seeds '': the cross-validation's figures and temperature only (the final trained apart)
        return save(report, args, work, folder, started)
    log(f"training {recipe} on every speaker with seeds {seeds}")
    trainable = trainable_clips(args, meta)
    finals = [dict(base, name=f"final-{recipe}-s{seed}", recipe=recipe, seed=seed,
                   train=[i for i in range(len(meta)) if trainable[i]],
                   test=[], weights=str(work / f"final-{recipe}-s{seed}.pt"),
                   result=str(work / f"final-{recipe}-s{seed}.json"))
              for seed in seeds]
    launch(finals, work, args.parallel, args.threads)
    save(report, args, work, folder, started)


def cpu_model():
    """The CPU as /proc/cpuinfo names it, with its family, model and widest vector unit: the same training took 49 s
    an epoch on one 2-core host and 78 s on another, so a run's minutes mean little without it."""
    first = Path("/proc/cpuinfo").read_text().split("\n\n")[0] if Path("/proc/cpuinfo").exists() else ""
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in first.splitlines())}
    vector = next((f for f in ("avx512f", "avx2", "avx") if f in fields.get("flags", "").split()), "no avx")
    return f"cpu: {fields.get('model name', 'unknown')} (family {fields.get('cpu family', '?')}, " \
           f"model {fields.get('model', '?')}, {vector}), {os.cpu_count()} cores"


def save(report, args, work, folder, started):
    torch.save({p.stem: torch.load(p) for p in sorted(work.glob("*.pt"))}, folder / "weights.pt")
    report["minutes"] = (time.time() - started) / 60
    report["machine"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else cpu_model()
    report["malloc_heap_settings"] = allocator.applied()
    report["speech_peak_dbfs"] = list(args.speech_peak_dbfs)
    report["without_calm"] = args.without_calm
    (folder / "crossval.json").write_text(json.dumps(report, indent=1))
    log(f"wrote {folder}/crossval.json and weights.pt after {report['minutes']:.1f} min")


# --- Export: one of the run's models as the service's ONNX graph ----------------------------------------------
def trained_modules(weights, name):
    """One trained model of a run (`weights`: its weights.pt loaded) by name, e.g. `balanced-fold3`: its recipe's
    front end and its CNN with the trained weights, in eval mode (the bare CNN, as training saved it)."""
    frontend, cnn = recipe_modules(RECIPES[recipe_of(name)])
    cnn.load_state_dict(weights[name])
    return frontend.eval(), cnn.eval()


def export_model(args):
    """One model of a run as the service's graph; `--name a+b` joins several of one fold (e.g. two recipes' or two
    seeds' models) into one graph (`export.join_graphs`: the mean of their logits, each over its own temperature)."""
    import export
    import onnx
    report = json.loads(Path(args.report).read_text())
    names = args.name.split("+")
    folds = {name.partition("-fold")[2] for name in names}  # "" for a final trained on everyone
    if len(folds) > 1:
        sys.exit("export: an ensemble's members must come from one fold (else one is scored on speakers it trained on)")
    weights = torch.load(args.weights)
    models = [serving_model(weights, report, name) for name in names]
    held_out = report["folds"].get(folds.pop(), [])
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"{name}.onnx" for name in names] if len(names) > 1 else [Path(args.out)]
        for name, model, path in zip(names, models, paths):
            export.export_onnx(model, path, {
                "labels": ",".join(LABELS), "sample_rate": audio.SAMPLE_RATE, "min_samples": export.MIN_SAMPLES,
                "model_version": args.version if len(names) == 1 else f"{args.version}:{name}", "model_kind": "cnn",
                "opset": export.OPSET,
                "training_data": f"RAVDESS actors 01-20, TESS, SAVEE as 8 kHz mu-law; recipe {recipe_of(name)}, "
                                 f"{report['epochs']} epochs, speech peak "
                                 f"{report.get('speech_peak_dbfs', list(audio.SPEECH_PEAK_DBFS))} dBFS"
                                 f"{', RAVDESS calm left out' if report.get('without_calm') else ''} "
                                 f"(training/crossval.py); held out: {', '.join(held_out) or 'none'}"})
        if len(names) > 1:
            onnx.save(export.join_graphs([onnx.load(str(path)) for path in paths], args.version), args.out)
    if args.reference:
        export.update_reference_cases("cnn", lambda wave: [export.join_probabilities([m(wave)[0].detach() for m in models])],
                                      Path(args.reference))
    log(f"exported {args.name} (T = {', '.join(f'{float(m.temperature):.2f}' for m in models)}) to {args.out}")


def serving_model(weights, report, name):
    """One trained model of a run as the service serves it: front end, CNN (calm folded into neutral), temperature."""
    recipe = recipe_of(name)
    frontend, cnn = trained_modules(weights, name)
    return ServingModel(frontend, serving_classifier(RECIPES[recipe], cnn),
                        report["recipes"][recipe].get("temperature", 1.0)).eval()


def join_models(args):
    """Graphs already exported (e.g. two finals from different runs) joined into one (`export.join_graphs`)."""
    import export
    import onnx
    try:
        joined = export.join_graphs([onnx.load(path) for path in args.models.split(",")], args.version)
    except ValueError as error:
        sys.exit(f"join: {error}")
    onnx.save(joined, args.out)
    log(f"joined {args.models} as {args.version} into {args.out}")


def trim_front_end(args):
    import export
    import onnx
    try:
        graph = export.trim_front_end(onnx.load(args.model))
    except ValueError as error:
        sys.exit(f"{args.model}: {error}")
    onnx.save(graph, args.model)
    log(f"{args.model}: the front end now computes {N_USED_BINS} of {N_BINS} DFT bins")


def recipe_of(name):
    """The recipe a run's model was trained with, from its name: `balanced-s7-fold3` or `final-balanced-s42`."""
    if name.startswith("final-"):
        return name.removeprefix("final-").rsplit("-s", 1)[0]
    return name.split("-fold")[0]


# --- Service-path figures: each fold's model, scored by `speechemotion evaluate` on its own speakers, pooled ------
def clip_results(path):
    """The per-clip rows of one `speechemotion evaluate --json` output."""
    return json.loads(Path(path).read_text())["clipResults"]


def service_report(args):
    rows = [r for path in args.inputs for r in clip_results(path)]
    report = {"clips": len(rows), "speakers": sorted({r["speaker"] for r in rows}), "variations": variation_figures(rows),
              "clean_by_speaker": speaker_spread(rows)}
    corpora = sorted({r["speaker"].split(":")[0] for r in rows})
    if len(corpora) > 1:
        report["corpora"] = {}
        report["corpora_clean_by_speaker"] = {}
        for corpus in corpora:
            log(f"{corpus}:")
            report["corpora"][corpus] = variation_figures(of_corpus(rows, corpus))
            report["corpora_clean_by_speaker"][corpus] = speaker_spread(of_corpus(rows, corpus))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))


def speaker_spread(rows, draws=10000, seed=0):
    """Clean accuracy of each speaker, and a 95 % interval for the pooled accuracy that resamples speakers, not clips:
    clips of one speaker are not independent, so the speakers are the sample the estimate generalises from. Read it per
    corpus: over corpora whose speakers say very different numbers of clips (TESS 1400, RAVDESS 60) it means little."""
    correct = {}
    for r in rows:
        correct.setdefault(r["speaker"], []).append(r["predictions"]["clean"] == r["label"])
    speakers = sorted(correct)
    hits, counts = np.array([sum(correct[s]) for s in speakers]), np.array([len(correct[s]) for s in speakers])
    picks = np.random.default_rng(seed).integers(0, len(speakers), size=(draws, len(speakers)))
    pooled = hits[picks].sum(axis=1) / counts[picks].sum(axis=1)
    low, high = np.percentile(pooled, [2.5, 97.5])
    log(f"{'clean by speaker':>22}: {' '.join(f'{s} {h / n:.2f}' for s, h, n in zip(speakers, hits, counts))}; "
        f"speaker-bootstrap 95 % {low:.3f}..{high:.3f}")
    return {"accuracy": {s: float(h / n) for s, h, n in zip(speakers, hits, counts)},
            "bootstrap_95": [float(low), float(high)], "draws": draws}


def variation_figures(rows):
    y = np.array([LABELS.index(r["label"]) for r in rows])
    figures_by_variation = {}
    for variation in rows[0]["predictions"]:
        pred = np.array([LABELS.index(r["predictions"][variation]) if r["predictions"][variation] in LABELS else -1
                         for r in rows])
        recall = {label: float((pred[y == k] == k).mean()) for k, label in enumerate(LABELS) if (y == k).any()}
        figures_by_variation[variation] = {"accuracy": float((pred == y).mean()), "macro_f1": evaluation.macro_f1(y, pred),
                                           "recall": recall, "clips": len(rows)}
        log(f"{variation:>22}: accuracy {(pred == y).mean():.3f}  macro-F1 {evaluation.macro_f1(y, pred):.3f}  "
            + " ".join(f"{k} {v:.2f}" for k, v in recall.items()))
    return figures_by_variation


SNR_BANDS_DB = (-5.0, 0.0, 5.0, 10.0)  # edges: below -5, -5..0, 0..5, 5..10, 10 and above


def of_corpus(rows, corpus):
    """The rows of one corpus (all when `corpus` is empty); a corpus that none of them belongs to is an error."""
    if not corpus:
        return rows
    mine = [r for r in rows if r["speaker"].startswith(corpus + ":")]
    if not mine:
        sys.exit(f"no clip of corpus '{corpus}' (speakers look like 'ravdess:04')")
    return mine


def noise_snr(args):
    """Accuracy by signal-to-noise ratio under each room-noise level of `speechemotion evaluate --perturb --json` outputs.
    The noise levels are absolute, so a quiet actor's speech is under the noise at -35 dBFS: the bands show whether
    the loss follows the SNR. SNR = the clip's speech level (`audio.speech_level_dbfs` of the recording as evaluated)
    minus the noise's RMS level; bands are half-open, [low, high)."""
    rows, speech_dbfs = [], []
    for path in args.inputs:  # e.g. one per fold, pooled
        evaluated = json.loads(Path(path).read_text())
        mine = of_corpus(evaluated["clipResults"], args.corpus)
        rows += mine
        speech_dbfs += [audio.speech_level_dbfs(audio.load(str(Path(evaluated["folder"]) / r["file"]))) for r in mine]
    speech_dbfs = np.array(speech_dbfs)
    clean = np.array([r["predictions"]["clean"] == r["label"] for r in rows])
    edges = [-np.inf, *SNR_BANDS_DB, np.inf]
    report = {"inputs": args.inputs, "corpus": args.corpus, "clips": len(rows), "band_edges_db": list(SNR_BANDS_DB),
              "speech_level_dbfs_median": float(np.median(speech_dbfs)), "noise_levels": {}}
    log(f"{len(rows)} clips; speech level median {np.median(speech_dbfs):.1f} dBFS")
    for variation in rows[0]["predictions"]:
        if not variation.startswith("padded+noise"):
            continue
        noise_dbfs = float(variation.removeprefix("padded+noise").removesuffix("dBFS"))
        snr = speech_dbfs - noise_dbfs
        right = np.array([r["predictions"][variation] == r["label"] for r in rows])
        bands = report["noise_levels"][variation] = {"snr_median_db": float(np.median(snr)), "bands": []}
        log(f"{variation}: SNR median {np.median(snr):.1f} dB")
        for lo, hi in zip(edges[:-1], edges[1:]):
            inside = (snr >= lo) & (snr < hi)
            if not inside.any():
                continue
            band = {"snr_db": [lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None], "clips": int(inside.sum()),
                    "clean_accuracy": float(clean[inside].mean()), "accuracy": float(right[inside].mean())}
            bands["bands"].append(band)
            log(f"  SNR {lo:>5} .. {hi:<5} dB: {band['clips']:4d} clips, clean {band['clean_accuracy']:.3f}, "
                f"with the noise {band['accuracy']:.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    return report


def fold_speakers(args):
    """A fold's held-out speakers of some corpora, from a run's crossval.json, as `evaluate --speakers` takes them."""
    speakers = json.loads(Path(args.report).read_text())["folds"][str(args.fold)]
    wanted = args.corpora.replace(",", " ").split()
    chosen = [s for s in speakers if s.split(":")[0] in wanted]
    if not chosen:
        sys.exit(f"fold {args.fold} holds no speaker of {', '.join(wanted)}")
    print(",".join(chosen))


def paired_comparison(args):
    """Two models scored on the same clips (each `speechemotion evaluate --json`, or several comma-separated: one per
    fold): per variation, each one's accuracy and the clips only one of them got right, with an exact McNemar test on
    those (a binomial test at 1/2)."""
    a, b = (pooled_by_file(paths, args.corpus) for paths in (args.a, args.b))
    if a.keys() != b.keys():
        sys.exit("paired: the two evaluations did not score the same clips")
    report = {}
    for variation in next(iter(a.values()))["predictions"]:
        right_a, right_b = ({f for f, r in rows.items() if r["predictions"][variation] == r["label"]} for rows in (a, b))
        only_a, only_b = len(right_a - right_b), len(right_b - right_a)
        p = stats.binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0
        row = report[variation] = {"accuracy_a": len(right_a) / len(a), "accuracy_b": len(right_b) / len(b),
                                   "only_a": only_a, "only_b": only_b, "mcnemar_p": p}
        log(f"{variation:>22}: accuracy {row['accuracy_a']:.3f} vs {row['accuracy_b']:.3f}; "
            f"only A right {only_a}, only B right {only_b}, McNemar p {p:.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    return report


def pooled_by_file(paths, corpus):
    """The clip rows of comma-separated evaluations by file; a clip scored twice (a fold given twice) is an error."""
    rows = of_corpus([r for path in paths.split(",") for r in clip_results(path)], corpus)
    by_file = {r["file"]: r for r in rows}
    if len(by_file) != len(rows):
        sys.exit(f"paired: {len(rows) - len(by_file)} clips appear twice in {paths}")
    return by_file


def peak_range(text):
    """`LOW,HIGH` in dBFS, LOW <= HIGH <= 0: a training example's speech peak is drawn from it."""
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not LOW,HIGH (e.g. -45,-1)") from None
    if not low <= high <= 0:
        raise argparse.ArgumentTypeError(f"'{text}': need LOW <= HIGH <= 0 dBFS")
    return low, high


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    packer = sub.add_parser("pack")
    for corpus in ("ravdess", "crema-d", "tess", "savee"):
        packer.add_argument(f"--{corpus}")
    packer.add_argument("--cache", default=str(Path(__file__).resolve().parent / ".cache"))
    packer.add_argument("--out", required=True)
    runner = sub.add_parser("run")
    runner.add_argument("--pack", required=True)
    runner.add_argument("--out", required=True)
    runner.add_argument("--work", default="/tmp/crossval")
    runner.add_argument("--epochs", type=int, default=40)
    runner.add_argument("--versions", type=int, default=8)
    runner.add_argument("--recipes", default="v2,mixup,mixup-s2,wide")
    runner.add_argument("--seed", type=int, default=42)
    runner.add_argument("--processes", type=int, default=os.cpu_count())
    runner.add_argument("--parallel", type=int, default=(os.cpu_count() or 2) + 4)
    runner.add_argument("--threads", type=int, default=0, help="torch threads per training process (default: the cores shared among the jobs that run at once)")
    runner.add_argument("--folds", help="only these folds (e.g. 0,1): a quick comparison, no final model")
    runner.add_argument("--final-seeds", default=",".join(map(str, FINAL_SEEDS)),
                        help="seeds of the final models on everyone; '' for the folds' figures and temperature only")
    runner.add_argument("--final-only", action="store_true", help="skip the folds: train --recipes' first on everyone")
    runner.add_argument("--calibration", help="with --final-only: crossval.json whose temperature the model takes")
    runner.add_argument("--speech-peak-dbfs", type=peak_range, default=audio.SPEECH_PEAK_DBFS,
                        help="range of the training examples' speech peak, e.g. --speech-peak-dbfs=-45,-1")
    runner.add_argument("--without-calm", action="store_true",
                        help="leave RAVDESS's calm clips (labelled neutral) out of training; they are still scored")
    runner.add_argument("--limit", type=int, default=0, help="about this many clips (smoke tests)")
    exporter = sub.add_parser("export")
    exporter.add_argument("--weights", required=True)
    exporter.add_argument("--report", required=True)
    exporter.add_argument("--name", required=True, help="e.g. v2-fold3 or final-v2-s42")
    exporter.add_argument("--version", required=True)
    exporter.add_argument("--out", required=True)
    exporter.add_argument("--reference", help="models/reference: rewrite the cases' probabilities for this model")
    joiner = sub.add_parser("join", help="exported graphs (e.g. two finals of different runs) joined into one")
    joiner.add_argument("--models", required=True, help="comma-separated ONNX graphs, e.g. models/emotion-cnn.onnx,b.onnx")
    joiner.add_argument("--version", required=True)
    joiner.add_argument("--out", required=True)
    trim = sub.add_parser("trim-front-end", help="an older graph's front end cut to the bins the mel filters use")
    trim.add_argument("model", help="an ONNX graph exported before 2026-12-02 (e.g. v5 as trained), rewritten in place")
    service = sub.add_parser("service-report", help="pool `speechemotion evaluate --json` outputs of the folds")
    service.add_argument("inputs", nargs="+")
    service.add_argument("--out")
    paired = sub.add_parser("paired", help="two models' `speechemotion evaluate --json` on the same clips, compared")
    paired.add_argument("a", help="model A's evaluation, or several comma-separated (one per fold)")
    paired.add_argument("b", help="model B's evaluation(s) of the same clips")
    paired.add_argument("--corpus", help="only this corpus's clips, e.g. ravdess (when one evaluation scored more)")
    paired.add_argument("--out")
    fold = sub.add_parser("fold-speakers", help="a fold's speakers (of --corpora) from a run's crossval.json")
    fold.add_argument("report")
    fold.add_argument("fold", type=int)
    fold.add_argument("--corpora", default="ravdess savee tess")
    snr = sub.add_parser("noise-snr", help="accuracy by signal-to-noise ratio under each room-noise level of an evaluation")
    snr.add_argument("inputs", nargs="+", help="`speechemotion evaluate --perturb --json` outputs, pooled (each one's clips are read from its folder)")
    snr.add_argument("--corpus", help="only this corpus's clips, e.g. ravdess")
    snr.add_argument("--out")
    w = sub.add_parser("worker")
    w.add_argument("--job", required=True)
    args = p.parse_args()
    if args.command == "run":  # only training needs them; its workers inherit them, the other commands stay one process
        allocator.reexec_with_heap_settings()
    {"pack": pack, "run": run, "export": export_model, "join": join_models, "trim-front-end": trim_front_end, "service-report": service_report,
     "paired": paired_comparison, "fold-speakers": fold_speakers, "noise-snr": noise_snr, "worker": worker}[args.command](args)


if __name__ == "__main__":
    main()
