"""rensa driver: full-set R-MinHash and rensa's own LSH deduplicator.

Character 5-grams of the raw text are passed as token lists to
RMinHashDeduplicator(threshold=0.8, num_perm=128, use_lsh=True,
num_bands=16) in batches through add_pairs, which sketches in Rust, looks up
LSH candidates and keeps a document unless a candidate's estimated
similarity reaches the threshold. rensa needs the band count to divide 128,
so datasketch's 9 x 13 is not possible; 16 x 8 is the nearest that keeps
recall at 0.8. rensa's batch paths use Rayon: RAYON_NUM_THREADS is set to
--workers. The rho sampling pipeline is not used (it does not hash the full
shingle set).
"""

import os
import sys

import peerlib

BATCH = 2048


def main():
    a = peerlib.args(__doc__)
    os.environ["RAYON_NUM_THREADS"] = str(a.workers)
    import rensa  # after RAYON_NUM_THREADS, so Rayon's pool sees it

    from importlib.metadata import version

    dedup = rensa.RMinHashDeduplicator(peerlib.THRESHOLD, peerlib.NUM_PERM, True, 16, 42)
    n = removed = 0
    batch = []

    def flush():
        nonlocal removed
        keep = dedup.add_pairs(batch)
        removed += sum(1 for k in keep if not k)
        batch.clear()

    for doc_id, text in peerlib.read_docs(a.corpus):
        batch.append((str(n), list(peerlib.shingles(text))))
        n += 1
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    note = f"R-MinHash full set, RMinHashDeduplicator 16x8 bands, RAYON_NUM_THREADS={a.workers}"
    peerlib.report("rensa", version("rensa"), n, removed, note)


if __name__ == "__main__":
    sys.exit(main())
