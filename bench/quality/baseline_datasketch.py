"""The usual baseline: datasketch MinHash-LSH the way its README shows.

Character 5-gram shingles of the raw text (no normalisation), 128
permutations, MinHashLSH at threshold 0.8; every document is queried against
the index and the candidate pairs are joined into clusters (union-find). The
first document of a cluster is kept. Writes clusters.jsonl in quchong's
format, so `quchong eval` scores both the same way.

Usage: python baseline_datasketch.py CORPUS.jsonl[.zst] OUT/clusters.jsonl
"""

import io
import json
import sys
import time

import datasketch
import numpy as np
import zstandard


def read_docs(path):
    with open(path, "rb") as f:
        stream = zstandard.ZstdDecompressor().stream_reader(f) if path.endswith(".zst") else f
        for line in io.TextIOWrapper(stream, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                yield str(d["id"]), d["text"]


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    t0 = time.time()
    ids, sigs = [], []
    for doc_id, text in read_docs(corpus):
        shingles = {text[i : i + 5] for i in range(max(1, len(text) - 4))}
        m = datasketch.MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles])
        ids.append(doc_id)
        sigs.append(m)
    lsh = datasketch.MinHashLSH(threshold=0.8, num_perm=128)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    parent = list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    clusters = {}
    for i in range(len(ids)):
        clusters.setdefault(find(i), []).append(i)
    with open(out, "w", encoding="utf-8") as f:
        n = 0
        for root in sorted(clusters):
            members = clusters[root]
            if len(members) < 2:
                continue
            for k, i in enumerate(members):
                rec = {"id": ids[i], "cluster": n, "kept": k == 0, "reason": "near", "similarity": 1.0}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    print(f"datasketch {datasketch.__version__}: {len(ids)} docs, {n} clusters, {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
