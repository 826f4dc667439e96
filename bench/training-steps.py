"""Training steps on this machine's CPU, with and without training/allocator.py's malloc settings.

    /usr/bin/python3 bench/training-steps.py [--steps 30] [--threads 2]

Each setting runs in its own process (malloc reads its settings when a process starts): the shipped recipe's network laid
out as the trainer lays it out (`crossval.training_layout`), batches of 32 random waveforms of 1.5-4 s (the cost of a step does not depend on what the audio says), front end,
SpecAugment, forward, backward, AdamW. Prints wall and CPU seconds, user and kernel, per setting.
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


def steps(count, threads):
    import numpy as np
    import torch
    from crossval import RECIPES, TRAINING as SETTINGS, training_layout
    from models import EmotionCNN, LogMelFrontEnd, SpecAugment
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    frontend, cnn, spec_augment = LogMelFrontEnd().eval(), training_layout(EmotionCNN(channels=RECIPES["v2"]["channels"])), SpecAugment()
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
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return steps(args.steps, args.threads)
    plain = {k: v for k, v in os.environ.items() if k not in allocator.SETTINGS}
    for name, env in [("glibc defaults", plain), ("training/allocator.py settings", {**plain, **allocator.SETTINGS})]:
        print(f"{name}: ", end="", flush=True)
        subprocess.run([sys.executable, __file__, "--child", "--steps", str(args.steps), "--threads", str(args.threads)],
                       env=env, check=True)


if __name__ == "__main__":
    main()
