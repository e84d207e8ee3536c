"""Turns the runs recorded by run.sh into one Markdown table.

    python table.py peers OUT COMMIT          # OUT/runs/*.{status,time,out}
    python table.py scale OUT COMMIT NOTE     # OUT/scale.inputs and OUT/runs/scale-*

Standard library only: it runs under the system Python, outside the peers'
virtual environments.
"""

import json
import os
import platform
import sys
import time


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return default


def run_result(runs, name, cores):
    """The measurements and driver output of one timed run, or its failure."""
    base = os.path.join(runs, f"{name}.c{cores}")
    r = {"status": read(base + ".status", "missing")}
    t = read(base + ".time").splitlines()
    if t:
        try:
            wall, user, sys_, rss = t[-1].split()
            r.update(wall=float(wall), cpu=float(user) + float(sys_), rss_mb=int(rss) / 1024)
        except ValueError:
            pass
    out = read(base + ".out")
    if r["status"] == "ok" and out:
        try:
            j = json.loads(out.splitlines()[-1] if "total" not in out else out)
        except ValueError:
            r["status"] = "failed: unreadable output"
            return r
        if "total" in j:  # quchong's --json summary
            r.update(docs=j["total"]["read"], removed=j["total"]["removed"], input_bytes=j["total"]["input_bytes"])
            p = j.get("params", {})
            r["note"] = f"threshold {p.get('threshold')}, k {p.get('k')}, {p.get('bands')}x{p.get('rows')} bands"
            mem = p.get("memory_budget")
            if isinstance(mem, int) and mem > 0:
                r["note"] += f", memory budget {mem / 2**20:.0f} MiB"
            if j.get("dry_run"):
                r["note"] += "; dry run: no kept/ written"
            r["version"] = j.get("version", "")
        else:
            r.update(docs=j.get("docs"), removed=j.get("removed"), note=j.get("note", ""), version=j.get("version", ""))
    return r


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def machine():
    cpu = ""
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu or platform.processor()}, {os.cpu_count()} logical CPUs, Python {platform.python_version()} (table)"


# Peers whose driver writes the deduplicated corpus, as quchong dedup does;
# the others only find the duplicates, like quchong dedup --dry-run.
WRITES_CORPUS = {"datatrove", "text-dedup"}


def peers(out, commit):
    runs = os.path.join(out, "runs")
    corpus = read(os.path.join(runs, "corpus"))
    order = [line.split() for line in read(os.path.join(runs, "order")).splitlines() if line.strip()]
    results = {(n, c): run_result(runs, n, c) for n, c in order}
    in_bytes = read(os.path.join(runs, "input_bytes"))
    in_bytes = int(in_bytes) if in_bytes.isdigit() else None
    if not in_bytes:
        in_bytes = next((r["input_bytes"] for r in results.values() if r.get("input_bytes")), None)
    mb = in_bytes / 1e6 if in_bytes else None

    lines = [
        f"Peer benchmark, {time.strftime('%Y-%m-%d %H:%M')}, quchong {commit}",
        "",
        f"Corpus `{os.path.basename(corpus)}`: {fmt(mb, '.1f')} MB uncompressed input. "
        "Parameters: character 5-grams, 128 hashes, threshold 0.8. "
        f"Machine: {machine()}.",
        "MB/CPU-s = MB of uncompressed input ÷ (user + sys CPU seconds of the whole run, children included); "
        "peak RSS = largest single process (GNU time %M). "
        "÷ quchong = the row's MB/CPU-s ÷ quchong's (same parameters, same cores, this run); quchong × = its inverse. "
        "quchong × like for like = the same against the quchong run that writes what the peer writes: "
        "datatrove and text-dedup write the deduplicated corpus, as quchong does; datasketch and rensa write nothing, "
        "so they are compared with `quchong dedup --dry-run` (clusters, stats and report, no kept/).",
        "",
        "| tool | cores | wall s | CPU s | MB/CPU-s | peak RSS MB | docs | removed | ÷ quchong | quchong × | quchong × like for like | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, cores in order:
        r = results[(name, cores)]
        label = {
            "quchong": "quchong (same parameters)",
            "quchong-defaults": "quchong (its defaults)",
            "quchong-dry": "quchong (same parameters, --dry-run)",
        }.get(name, name)
        if r.get("version"):
            label += f" {r['version']}"
        if r["status"] != "ok":
            lines.append(f"| {label} | {cores} | — | — | — | — | — | — | — | — | — | {r['status']} |")
            continue
        rate = mb / r["cpu"] if mb and r.get("cpu") else None
        ref = results.get(("quchong", cores), {})
        ref_rate = mb / ref["cpu"] if mb and ref.get("status") == "ok" and ref.get("cpu") else None
        ratio = rate / ref_rate if rate and ref_rate else None
        inv = 1 / ratio if ratio else None
        like = None
        if not name.startswith("quchong"):
            ref_name = "quchong" if name in WRITES_CORPUS else "quchong-dry"
            lref = results.get((ref_name, cores), {})
            if lref.get("status") == "ok" and lref.get("cpu") and r.get("cpu"):
                like = r["cpu"] / lref["cpu"]
        lines.append(
            f"| {label} | {cores} | {fmt(r.get('wall'), '.2f')} | {fmt(r.get('cpu'), '.2f')} | {fmt(rate, '.1f')} "
            f"| {fmt(r.get('rss_mb'), '.0f')} | {fmt(r.get('docs'), ',')} | {fmt(r.get('removed'), ',')} "
            f"| {fmt(ratio, '.3g')} | {fmt(inv, '.3g')} | {fmt(like, '.3g')} | {r.get('note', '')} |"
        )
    lines += [
        "",
        "Each tool keeps its own text normalisation and LSH banding, so `removed` differs between tools; "
        "quchong also verifies candidates and removes exact duplicates first.",
    ]
    print("\n".join(lines))


def scale(out, commit, note):
    runs = os.path.join(out, "runs")
    inputs = [line.split("\t") for line in read(os.path.join(out, "scale.inputs")).splitlines() if line.strip()]
    lines = [
        f"Scaling run, {time.strftime('%Y-%m-%d %H:%M')}, quchong {commit} at its defaults, {note}, all cores. "
        f"Machine: {machine()}.",
        "",
        "| corpus | MB | data ÷ 1x | docs | removed | wall s | CPU s | MB/CPU-s | peak RSS MB | time ÷ 1x time | CPU ÷ 1x CPU | time per MB ÷ 1x | status |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    base_wall = base_mb = base_cpu = None
    cores = os.cpu_count()
    for name, path, size in inputs:
        r = run_result(runs, name, cores)
        size = int(size) if size.isdigit() else r.get("input_bytes")
        mb = size / 1e6 if size else None
        rate = mb / r["cpu"] if mb and r.get("cpu") else None
        if base_wall is None and r["status"] == "ok":
            base_wall, base_mb, base_cpu = r.get("wall"), mb, r.get("cpu")
        tr = r["wall"] / base_wall if base_wall and r["status"] == "ok" else None
        cr = r["cpu"] / base_cpu if base_cpu and r["status"] == "ok" else None
        dr = mb / base_mb if mb and base_mb else None
        per_mb = tr / dr if tr and dr else None
        lines.append(
            f"| {os.path.basename(path)} | {fmt(mb, '.0f')} | {fmt(dr, '.2f')} | {fmt(r.get('docs'), ',')} | {fmt(r.get('removed'), ',')} "
            f"| {fmt(r.get('wall'), '.1f')} | {fmt(r.get('cpu'), '.1f')} | {fmt(rate, '.1f')} "
            f"| {fmt(r.get('rss_mb'), '.0f')} | {fmt(tr, '.2f')} | {fmt(cr, '.2f')} | {fmt(per_mb, '.2f')} | {r['status']} |"
        )
    lines += [
        "",
        "time ÷ 1x time: wall time over the first (150 MB) run's; the target is ≤ 11 for 10x the data. "
        "The generated corpus is not exactly 10x in bytes (data ÷ 1x), so time per MB ÷ 1x divides the "
        "time ratio by the data ratio: ≤ 1.1 meets the target. "
        "Peak RSS is the whole quchong process, to be read against the --memory budget.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "peers":
        peers(sys.argv[2], sys.argv[3])
    elif mode == "scale":
        scale(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"table.py: unknown mode {mode}")
