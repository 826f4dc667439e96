"""CPU settings for training: glibc malloc settings, applied by re-running the script with them in its environment,
and denormal floats flushed to zero.

Every training step allocates and frees tensors of several MB. By default glibc serves blocks that large with mmap
and returns them with munmap, so each step pays for fresh pages again (faults, zeroing): on the 2-core machine a
third of a training's CPU time went to the kernel. Keeping such blocks on the heap, and the heap from being trimmed,
roughly halves the time of a training step (`bench/training-steps.py` prints both). The settings only move memory between
the heap and the kernel; the numbers computed are the same.
"""
import os
import sys

SETTINGS = {
    "MALLOC_MMAP_THRESHOLD_": str(4 << 30),   # blocks below 4 GiB from the heap, not from mmap
    "MALLOC_TRIM_THRESHOLD_": str(16 << 30),  # and the heap not handed back to the kernel after each step
}


def applied():
    """Whether this process runs with SETTINGS (reports record it beside the training time)."""
    return all(os.environ.get(name) == value for name, value in SETTINGS.items())


def reexec_with_heap_settings():
    """Re-runs this script with SETTINGS (malloc reads them when the process starts); returns at once when they are
    already there, so child processes, which inherit them, and a second call do nothing."""
    if applied():
        return
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **SETTINGS})


def flush_denormals():
    """Flushes denormal floats to zero in this process (threads started after the call inherit it).

    With v5's speaker-balanced epochs (mostly RAVDESS, recorded quietly) a CPU epoch took 75 s instead of v4's 50 s:
    arithmetic on denormals is slow on x86. Flushed, five epochs took 258 s instead of 398 s, with weights bit for bit
    the same (models/MODEL_CARD.md, "Training v5 on this 2-core machine"). Returns whether the CPU supports it."""
    import torch
    return torch.set_flush_denormal(True)
