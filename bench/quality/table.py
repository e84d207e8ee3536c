"""Prints the quality table: one row per set and stratum, quchong beside the baseline.

Usage: python table.py RESULTS_DIR SET...
Reads RESULTS_DIR/SET/{quchong,baseline}.eval.json (quchong eval --json).
"""

import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cells(s):
    if s is None:
        return ["-"] * 4
    merged = (s["tp"] + s["fp"]) / s["pairs"] if s["pairs"] else 0
    f1 = f'{s["f1"]:.3f}' if s["positives"] else "-"
    rec = f'{s["recall"]:.3f}' if s["positives"] else "-"
    mr = f'{s["merge_rate"]:.3f}' if s["negatives"] else "-"
    return [f1, rec, mr, f"{merged:.3f}"]


def main():
    res, sets = sys.argv[1], sys.argv[2:]
    head = ["set", "stratum", "pairs", "pos", "F1", "recall", "merge(neg)", "merged",
            "base F1", "base recall", "base merge(neg)", "base merged"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name in sets:
        q = load(os.path.join(res, name, "quchong.eval.json"))
        b = load(os.path.join(res, name, "baseline.eval.json"))
        if q is None:
            print(f"| {name} | (skipped: data missing) |" + " |" * (len(head) - 2))
            continue
        bs = {s["stratum"]: s for s in (b["strata"] if b else [])}
        rows = q["strata"] + [q["overall"]]
        if b:
            bs[q["overall"]["stratum"]] = b["overall"]
        for s in rows:
            row = [name, s["stratum"], str(s["pairs"]), str(s["positives"])] + cells(s) + cells(bs.get(s["stratum"]))
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
