"""Shared helpers for the peer drivers: read the corpus, shingle, report.

Every driver is run as

    python DRIVER.py --corpus CORPUS.jsonl[.zst] --workers N --workdir DIR

and prints exactly one JSON object on stdout:

    {"tool": ..., "version": ..., "docs": N, "removed": N, "note": "..."}

where "removed" is the number of documents the tool would drop as duplicates
(cluster size minus one, summed over clusters). run.sh times the whole
process with /usr/bin/time, so reading and decompression count for every
tool alike.

The parameters are the ones the benchmark compares at: character 5-grams of
the raw text, 128 hash values, threshold 0.8. Where a tool bands the
signature itself, datasketch's optimum for (0.8, 128) is used: 9 bands of
13 rows (117 of the 128 values), unless the tool cannot take it.
"""

import argparse
import io
import json
import sys

NGRAM = 5
NUM_PERM = 128
THRESHOLD = 0.8
BANDS, ROWS = 9, 13  # datasketch's _optimal_param(0.8, 128)


def args(description):
    """Parses the common driver flags."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--corpus", required=True, help="JSONL or JSONL.zst with id and text")
    p.add_argument("--workers", type=int, default=1, help="processes or threads, where the tool has them")
    p.add_argument("--workdir", required=True, help="scratch directory for the tool's files")
    return p.parse_args()


def open_text(path):
    """Opens a .jsonl or .jsonl.zst file as text."""
    f = open(path, "rb")
    if path.endswith(".zst"):
        import zstandard

        f = zstandard.ZstdDecompressor().stream_reader(f, read_size=1 << 20)
    return io.TextIOWrapper(f, encoding="utf-8")


def read_docs(path):
    """Yields (id, text) for every non-empty line of a JSONL corpus."""
    with open_text(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            yield str(d.get("id", n)), d["text"]


def shingles(text, n=NGRAM):
    """The set of character n-grams of text (the whole text if shorter)."""
    if len(text) <= n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


class UnionFind:
    """Union-find over dense indices, smallest index as the root."""

    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def removed(self):
        """Documents that are not the root of their cluster."""
        return sum(1 for i in range(len(self.parent)) if self.find(i) != i)


def report(tool, version, docs, removed, note=""):
    """Prints the driver's one-line JSON result on stdout."""
    json.dump({"tool": tool, "version": version, "docs": docs, "removed": removed, "note": note}, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
