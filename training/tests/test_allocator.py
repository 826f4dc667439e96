"""The malloc settings are applied by re-running the script once, with its arguments unchanged; denormals are flushed."""
import os
import subprocess
import sys
from pathlib import Path

import allocator

TRAINING = Path(__file__).resolve().parent.parent


def test_a_script_reruns_once_with_the_settings_and_its_arguments(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(f"import os, sys\nsys.path.insert(0, {str(TRAINING)!r})\nimport allocator\n"
                     "print('started', allocator.applied(), flush=True)\n"
                     "allocator.reexec_with_heap_settings()\n"
                     "print(os.environ['MALLOC_MMAP_THRESHOLD_'], os.environ['MALLOC_TRIM_THRESHOLD_'], sys.argv[1:])\n")
    without = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, str(probe), "--pack", "a b"], env=without, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["started False", "started True", f"{4 << 30} {16 << 30} ['--pack', 'a b']"]


def test_a_process_that_has_them_is_not_rerun(monkeypatch):
    for name, value in allocator.SETTINGS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(allocator.os, "execve", lambda *a: (_ for _ in ()).throw(AssertionError("re-ran")))
    allocator.reexec_with_heap_settings()
    assert allocator.applied()


def test_denormals_are_flushed_to_zero_in_a_fresh_process():
    # In a process of its own: the setting would otherwise stay on for the rest of the test session.
    probe = (f"import sys; sys.path.insert(0, {str(TRAINING)!r}); import torch, allocator\n"
             "tiny = torch.tensor([1e-39], dtype=torch.float32)\n"
             "print(bool((tiny * 1.0).item() != 0), allocator.flush_denormals(), bool((tiny * 1.0).item() != 0))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "False"]
