"""Training steps on this machine's CPU, with and without training/allocator.py's malloc settings, and with and without
the trainer's channels-last layout (`models.training_layout`).

    /usr/bin/python3 bench/training-steps.py [--steps 30] [--threads 2]

Each setting runs in its own process (malloc reads its settings when a process starts): the shipped recipe's network,
batches of 32 random waveforms of 1.5-4 s (the cost of a step does not depend on what the audio says), front end,
SpecAugment, forward, backward, AdamW. Prints wall and CPU seconds, user and kernel, per setting: glibc's malloc
defaults and the trainer's layout; the trainer's malloc settings and layout (how it trains); the trainer's malloc
settings with the default layout (how it trained before the layout).
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

TRAINING = Path(__file__).resolve().parent.parent / "training"
sys.path.insert(0, str(TRAINING))
import allocator  # noqa: E402


def steps(count, threads, channels_last):
    import numpy as np
    import torch
    from crossval import RECIPES, TRAINING as SETTINGS
    from models import EmotionCNN, LogMelFrontEnd, SpecAugment, training_layout
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    cnn = EmotionCNN(channels=RECIPES["v2"]["channels"])
    if channels_last:
        cnn = training_layout(cnn)
    frontend, spec_augment = LogMelFrontEnd().eval(), SpecAugment()
    optimiser = torch.optim.AdamW(cnn.parameters(), lr=SETTINGS["learning_rate"])
    loss_fn = torch.nn.CrossEntropyLoss()
    shortest, longest = (int(s * 16000) for s in SETTINGS["example_seconds"])
    started, cpu = time.time(), os.times()
    for _ in range(count):
        batch = torch.from_numpy(0.1 * rng.standard_normal((SETTINGS["batch_size"], int(rng.integers(shortest, longest + 1))), dtype=np.float32))
        target = torch.from_numpy(rng.integers(0, 7, SETTINGS["batch_size"]))
        with torch.no_grad():
            features, mask = frontend(batch)
        loss = loss_fn(cnn(spec_augment(features), mask), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    used = os.times()
    print(f"{count} steps: {time.time() - started:.1f} s wall, CPU user {used.user - cpu.user:.1f} s, "
          f"kernel {used.system - cpu.system:.1f} s", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--child", choices=["channels-last", "default"], help=argparse.SUPPRESS)  # the layout to time
    args = p.parse_args()
    if args.child:
        return steps(args.steps, args.threads, args.child == "channels-last")
    plain = {k: v for k, v in os.environ.items() if k not in allocator.SETTINGS}
    tuned = {**plain, **allocator.SETTINGS}
    for name, env, layout in [("glibc defaults, channels-last", plain, "channels-last"),
                              ("training/allocator.py settings, channels-last (the trainer)", tuned, "channels-last"),
                              ("training/allocator.py settings, default layout", tuned, "default")]:
        print(f"{name}: ", end="", flush=True)
        subprocess.run([sys.executable, __file__, "--child", layout, "--steps", str(args.steps), "--threads", str(args.threads)],
                       env=env, check=True)


if __name__ == "__main__":
    main()
