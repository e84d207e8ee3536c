"""Peak memory of quchong.dedup on a large table, measured in a subprocess.

A table is written to the binary a slice at a time, so the Python process
must not hold a second copy of it (nor Python strings of its texts): its
peak resident memory while dedup runs may grow by a tenth of the table at
most (plus a fixed allowance for the interpreter's buffers). A Dataset is
memory-mapped from its Arrow files: reading it once maps each page once, so
it may grow by the Dataset's size, not several times it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import sys
import numpy as np
import pyarrow as pa
import quchong

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

kind, rows, chars, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# Random CJK texts (3 bytes a character in UTF-8), built straight into Arrow buffers.
codes = np.random.default_rng(1).integers(0x4E00, 0x4E00 + 3000, size=rows * chars, dtype=np.uint32)
data = codes.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
offsets = np.arange(0, rows * chars * 3 + 1, chars * 3, dtype=np.int32)
texts = pa.StringArray.from_buffers(rows, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))
del codes, data
obj = pa.table({"text": texts, "n": np.arange(rows)})
size = obj.nbytes
if kind == "dataset":
    import datasets
    datasets.disable_progress_bars()
    datasets.Dataset(obj).save_to_disk(tmp)
    del obj, texts
    obj = datasets.load_from_disk(tmp)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current resident size
before = status("VmHWM")
result = quchong.dedup(obj)
assert result.stats["total"]["read"] == rows, result
print(size, before, status("VmHWM"))
"""


@pytest.mark.parametrize("kind, allowed", [("table", 0.1), ("dataset", 1.0)])
def test_peak_memory_of_a_large_table(kind: str, allowed: float, tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("pyarrow")
    if kind == "dataset":
        pytest.importorskip("datasets")
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, kind, "150000", "200", str(tmp_path / "ds")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    size, before, peak = map(int, proc.stdout.split())
    grew = peak - before
    print(f"{kind}: {size >> 20} MiB of data, peak grew by {grew >> 20} MiB")
    assert size > 80 << 20
    assert grew <= allowed * size + (32 << 20), f"{kind} of {size >> 20} MiB: peak grew by {grew >> 20} MiB"
