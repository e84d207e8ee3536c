"""datasketch driver: MinHash + MinHashLSH the way datasketch's README shows.

Character 5-grams of the raw text, MinHash(num_perm=128) fed with
update_batch (the faster way, the default) or, with --update loop, one
update() call per shingle as the README's first example does;
MinHashLSH(threshold=0.8) at datasketch's own optimal banding (9 x 13).
Each document queries the index before it is inserted; candidates are joined
by union-find and every cluster keeps one document. datasketch has no worker
option: it runs on one thread whatever --workers says.
"""

import datasketch

import peerlib


def main(update="batch"):
    a = peerlib.args(__doc__)
    lsh = datasketch.MinHashLSH(threshold=peerlib.THRESHOLD, num_perm=peerlib.NUM_PERM)
    pairs = []
    n = 0
    for n, (_, text) in enumerate(peerlib.read_docs(a.corpus), 1):
        m = datasketch.MinHash(num_perm=peerlib.NUM_PERM)
        if update == "loop":
            for s in peerlib.shingles(text):
                m.update(s.encode("utf-8"))
        else:
            m.update_batch([s.encode("utf-8") for s in peerlib.shingles(text)])
        i = n - 1
        pairs.extend((i, j) for j in lsh.query(m))
        lsh.insert(i, m, check_duplication=False)
    uf = peerlib.UnionFind(n)
    for i, j in pairs:
        uf.union(i, j)
    note = f"{'update() per shingle' if update == 'loop' else 'update_batch'}; bands x rows {lsh.b}x{lsh.r}; single-threaded" + (f" (asked for {a.workers} workers)" if a.workers > 1 else "")
    peerlib.report("datasketch" if update == "batch" else "datasketch-loop", datasketch.__version__, n, uf.removed(), note)


if __name__ == "__main__":
    main()
