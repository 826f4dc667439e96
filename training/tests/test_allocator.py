"""The malloc settings are applied by re-running the script once, with its arguments unchanged."""
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
