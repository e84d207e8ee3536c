"""datatrove driver: its four MinhashDedup stages in a LocalPipelineExecutor.

signatures -> buckets -> cluster -> filter, as in datatrove's MinHash
example, with MinhashConfig(n_grams=5, num_buckets=9, hashes_per_bucket=13)
(datasketch's banding for threshold 0.8 at 128 hashes: 117 values are
computed; datatrove has no threshold parameter, the banding is the
threshold). datatrove shingles words from a language word tokenizer; for
character 5-grams it is given a character tokenizer (load_word_tokenizer
accepts a WordTokenizer instance), after datatrove's own simplify_text
(lower case, digits to 0, punctuation to spaces, whitespace collapsed).
The kept documents are written as JSONL.zst, as quchong writes them.

Parallelism: the one-file corpus is read by one task in the signature and
filter stages (datatrove shards by file); the bucket stage runs one task per
bucket on --workers processes; clustering is single-task by design.
"""

import json
import os

import peerlib


def main():
    a = peerlib.args(__doc__)
    from importlib.metadata import version

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.word_tokenizers import WordTokenizer

    class CharTokenizer(WordTokenizer):
        """One token per character, so n_grams=5 gives character 5-grams."""

        def word_tokenize(self, text):
            return list(text)

        def sent_tokenize(self, text):
            return [text]

        def span_tokenize(self, text):
            return [(0, len(text))]

    cfg = MinhashConfig(n_grams=peerlib.NGRAM, num_buckets=peerlib.BANDS, hashes_per_bucket=peerlib.ROWS)
    w = a.workdir
    folder, name = os.path.split(os.path.abspath(a.corpus))

    def reader():
        return JsonlReader(folder, glob_pattern=name, text_key="text", id_key="id")

    logs = os.path.join(w, "logs")
    stage1 = LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupSignature(output_folder=f"{w}/sigs", config=cfg, language=CharTokenizer())],
        tasks=1,
        workers=1,
        logging_dir=f"{logs}/1",
    )
    stage2 = LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=f"{w}/sigs", output_folder=f"{w}/buckets", config=cfg)],
        tasks=cfg.num_buckets,
        workers=a.workers,
        logging_dir=f"{logs}/2",
        depends=stage1,
    )
    stage3 = LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(input_folder=f"{w}/buckets", output_folder=f"{w}/remove_ids", config=cfg)],
        tasks=1,
        workers=1,
        logging_dir=f"{logs}/3",
        depends=stage2,
    )
    stage4 = LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupFilter(input_folder=f"{w}/remove_ids"),
            JsonlWriter(f"{w}/kept", compression="zstd"),
        ],
        tasks=1,
        workers=1,
        logging_dir=f"{logs}/4",
        depends=stage3,
    )
    stage4.run()

    # The filter stage's own counts: documents read and documents dropped.
    docs = removed = 0
    with open(f"{logs}/4/stats.json", encoding="utf-8") as f:
        for step in json.load(f):
            if "MinHash stage 4" in step["name"]:
                docs, removed = step["stats"]["total"], step["stats"].get("dropped", 0)
    note = (
        f"MinhashConfig n_grams=5 (character tokenizer), {cfg.num_buckets}x{cfg.hashes_per_bucket} buckets; "
        f"bucket stage on {a.workers} worker(s), other stages single-task"
    )
    peerlib.report("datatrove", version("datatrove"), docs, removed, note)


if __name__ == "__main__":
    main()
