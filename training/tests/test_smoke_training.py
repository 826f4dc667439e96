"""End to end: the trainer on a generated RAVDESS-layout corpus whose seven classes are separable (a tone per
class, or a noise colour), a few epochs, must clearly beat chance and write everything the service needs."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

TRAIN = Path(__file__).resolve().parent.parent / "train.py"
EMOTION_CODES = ["01", "03", "04", "05", "06", "08", "07"]  # neutral happy sad angry fearful surprised disgust


def class_signal(code, rng, seconds=1.0, rate=22050):
    """Each class has its own sound; speakers differ in loudness and a little pitch, as real speakers do."""
    t = np.arange(int(seconds * rate)) / rate
    shift = rng.uniform(0.97, 1.03)
    kind = EMOTION_CODES.index(code)
    if kind < 5:
        wave = np.sin(2 * np.pi * [200, 450, 900, 1800, 3500][kind] * shift * t)
    elif kind == 5:
        wave = rng.standard_normal(len(t))                       # white noise
    else:
        wave = np.cumsum(rng.standard_normal(len(t)))            # brown noise
        wave = (wave - wave.mean()) / (np.abs(wave).max() + 1e-9)
    envelope = np.clip(np.sin(np.pi * t / seconds) * 1.5, 0, 1)
    silence = np.zeros(int(0.2 * rate))
    return np.concatenate([silence, rng.uniform(0.05, 0.5) * wave * envelope, silence]).astype(np.float32)


def make_corpus(root, actors=10, clips_per_class=4, seed=0):
    rng = np.random.default_rng(seed)
    for actor in range(1, actors + 1):
        for code in EMOTION_CODES:
            for rep in range(clips_per_class):
                name = f"03-01-{code}-01-0{rep % 2 + 1}-0{rep // 2 + 1}-{actor:02d}.wav"
                path = root / f"Actor_{actor:02d}" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(str(path), class_signal(code, rng), 22050)


def test_smoke_training_beats_chance_and_exports(tmp_path):
    make_corpus(tmp_path / "ravdess")
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, str(TRAIN), "--ravdess", str(tmp_path / "ravdess"), "--epochs", "6",
                             "--example-seconds", "1,1.5", "--out", str(out), "--cache", str(tmp_path / "cache"), "--model-version", "cnn-smoke"],
                            capture_output=True, text=True, timeout=600)  # ~95 s alone; minutes on a loaded machine
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0
    assert "epoch   6/6" in result.stdout  # progress per epoch
    report = json.loads((out / "report.json").read_text())
    split = json.loads((out / "split.json").read_text())
    sides = [set(split[s]) for s in ("train", "validation", "test")]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    assert len(split["test"]) == 2
    assert report["malloc_heap_settings"]  # train.py re-ran itself with training/allocator.py's settings
    chance = 1 / 7
    assert report["results"]["cnn"]["clean"]["all"]["accuracy"] > 3 * chance
    assert report["results"]["baseline"]["clean"]["all"]["accuracy"] > 3 * chance
    # Every evaluation variation is reported (the model is judged on what production sends, not the easy case).
    assert set(report["results"]["cnn"]) >= {"clean", "telephone", "padded_quiet", "padded_noisy", "raw"}
    for name in ("emotion-cnn.onnx", "emotion-baseline.onnx", "REPORT.md", "confusion-cnn.png",
                 "reference/cases.json"):
        assert (out / name).exists(), name
