"""text-dedup driver: its MinHash module (text_dedup.minhash) run as a library.

text-dedup 0.4.1 is configured by a TOML file (its CLI reads config.toml);
this driver writes one and runs the same stages as text_dedup.minhash.main:
load (Hugging Face datasets, JSON builder, offline), filter short documents,
fingerprint, cluster (polars group-by on band values + polars-grouper),
assign, remove duplicates, save the kept documents (Arrow). num_perm=128,
threshold=0.8, ngram_size=5, bands x rows from text-dedup's own optimum
(the same formula as datasketch: 9 x 13), false-positive check off (its
default). text-dedup shingles word n-grams of a \\W split; for character
5-grams the tokenizer is replaced by one that yields characters (the
n-grams are then joined by spaces, as text-dedup always does). The .zst
corpus is decompressed into the work directory first (inside the timed run).
Parallelism: num_proc=--workers (datasets multiprocessing), POLARS_MAX_THREADS
likewise.
"""

import os
import shutil

import peerlib


def main():
    a = peerlib.args(__doc__)
    w = os.path.abspath(a.workdir)
    os.makedirs(w, exist_ok=True)
    # Everything offline and inside the work directory: no hub, no ~/.cache.
    os.environ.update(
        HF_HOME=f"{w}/hf",
        HF_DATASETS_CACHE=f"{w}/hf/datasets",
        HF_DATASETS_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        POLARS_MAX_THREADS=str(a.workers),
    )
    data = f"{w}/corpus.jsonl"
    with peerlib.open_text(a.corpus) as src, open(data, "w", encoding="utf-8") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)

    cfg = f"""
[input]
input_type = "local_files"
file_type = "json"
[input.read_arguments]
path = "json"
data_files = "{data}"
split = "train"
cache_dir = "{w}/hf/datasets"

[algorithm]
algorithm_name = "minhash"
text_column = "text"
num_perm = {peerlib.NUM_PERM}
threshold = {peerlib.THRESHOLD}
ngram_size = {peerlib.NGRAM}
num_proc = {a.workers}
seed = 42

[output]
output_dir = "{w}/out"

[debug]
enable_profiling = false
logging_level = 30
"""
    with open(f"{w}/config.toml", "w", encoding="utf-8") as f:
        f.write(cfg)

    from importlib.metadata import version

    from text_dedup import minhash as td
    from text_dedup.config.algorithms.minhash import MinHashAlgorithmConfig
    from text_dedup.config.base import load_config_from_toml
    from text_dedup.data_sources.io import save_dataset

    def char_tokenize_func(self):
        return lambda content: list(content.lower())

    MinHashAlgorithmConfig._get_tokenize_func = char_tokenize_func
    config = load_config_from_toml(f"{w}/config.toml")
    algo = config.algorithm

    ds, original, filtered = td.load_and_preprocess(config)
    embedded = td.fingerprint(config, ds)
    assignment = td.cluster(config, embedded)
    ds = td.assign(config, ds, assignment)
    final = td.remove_duplicates(config, ds)
    save_dataset(config, final_data=final, clusters=assignment)
    note = (
        f"character tokenizer, ngram_size=5, {algo.bands}x{algo.rows} bands, num_proc={a.workers}; "
        f"{original - filtered} documents under min_length=5 dropped as too short (not counted)"
    )
    peerlib.report("text-dedup", version("text-dedup"), original, filtered - len(final), note)


if __name__ == "__main__":
    main()
