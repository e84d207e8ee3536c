"""quchong.dedup from a pyarrow Table, against the CLI and datasketch, in one run.

    python bench.py CORPUS.jsonl.zst [--threshold 0.8] [--skip-datasketch]

Reads the corpus (JSONL with "id" and "text", zstd) into a pyarrow Table,
then times, one after the other in this process:

- quchong.dedup(table): the Python API from the Table (written to Parquet
  for the binary, the run, the result read back);
- the quchong CLI on the corpus file itself (`quchong dedup FILE -o DIR
  --dry-run`, the same outputs the API asks for: clusters, stats, report);
- datasketch: MinHash(num_perm=128).update_batch over character 5-grams and
  MinHashLSH at the same threshold, over the Table's texts (as
  bench/peers/driver_datasketch.py does over the file).

For each: wall and CPU seconds (CPU of this process plus its children),
documents removed, the peak resident memory this process grew by (VmHWM,
reset before each step) and the peak of the binary it ran. Prints one
Markdown table.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.json as pajson

import quchong


def vm(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def reset_peak() -> int:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return vm("VmRSS")


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def measure(fn):
    before = reset_peak()
    t0, c0 = time.perf_counter(), cpu()
    out = fn()
    return out, time.perf_counter() - t0, cpu() - c0, vm("VmHWM") - before


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus")
    p.add_argument("--threshold", type=float, default=0.8)
    p.add_argument("--skip-datasketch", action="store_true")
    a = p.parse_args()
    mib = 1 << 20
    rows = []

    t0 = time.perf_counter()
    with pa.input_stream(a.corpus, compression="zstd" if a.corpus.endswith(".zst") else None) as f:
        table = pajson.read_json(f, read_options=pajson.ReadOptions(block_size=16 << 20))
    load = time.perf_counter() - t0
    print(
        f"corpus: {a.corpus}: {table.num_rows} documents, Table of {table.nbytes / mib:.0f} MiB, "
        f"read in {load:.1f} s; process RSS {vm('VmRSS') / mib:.0f} MiB",
        file=sys.stderr,
    )

    # 1. The Python API from the Table. The binary is this process's only child so far.
    result, wall, cpus, grew = measure(lambda: quchong.dedup(table, threshold=a.threshold))
    binary_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    rows.append(("quchong.dedup(pyarrow.Table)", wall, cpus, result.stats["total"]["removed"], grew, binary_peak))
    del result

    # 2. The CLI on the file, with the same outputs (clusters, stats, report; no kept/).
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [quchong.binary(), "dedup", a.corpus, "-o", os.path.join(tmp, "out"), "--dry-run", "--quiet",
               f"--threshold={a.threshold}"]

        def cli():
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            assert proc.returncode == 0, proc.returncode
            import json

            with open(os.path.join(tmp, "out", "stats.json")) as f:
                return json.load(f)["total"]["removed"], usage.ru_maxrss * 1024

        (removed, peak), wall, cpus, grew = measure(cli)
        rows.append(("quchong dedup FILE (CLI)", wall, cpus, removed, None, peak))

    # 3. datasketch over the same texts, one thread (it has no other way).
    if not a.skip_datasketch:
        import datasketch

        def run_datasketch():
            lsh = datasketch.MinHashLSH(threshold=a.threshold, num_perm=128)
            parent = list(range(table.num_rows))

            def find(x):
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            i = 0
            for batch in table.column("text").chunks:
                for text in batch.to_pylist():
                    m = datasketch.MinHash(num_perm=128)
                    sh = {text[j : j + 5] for j in range(len(text) - 4)} if len(text) > 5 else {text}
                    m.update_batch([s.encode("utf-8") for s in sh])
                    for j in lsh.query(m):
                        ri, rj = find(i), find(j)
                        if ri != rj:
                            parent[max(ri, rj)] = min(ri, rj)
                    lsh.insert(i, m, check_duplication=False)
                    i += 1
            return sum(1 for x in range(i) if find(x) != x)

        removed, wall, cpus, grew = measure(run_datasketch)
        rows.append((f"datasketch {datasketch.__version__} MinHashLSH", wall, cpus, removed, grew, None))

    print(f"\n{table.num_rows} documents ({table.nbytes / mib:.0f} MiB of Table), threshold {a.threshold}, "
          f"{os.cpu_count()} cores\n")
    print("| run | wall s | CPU s | removed | Python peak grew, MiB | binary peak, MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, wall, cpus, removed, grew, peak in rows:
        g = "—" if grew is None else f"{grew / mib:.0f}"
        b = "—" if peak is None else f"{peak / mib:.0f}"
        print(f"| {name} | {wall:.1f} | {cpus:.1f} | {removed} | {g} | {b} |")


if __name__ == "__main__":
    main()
