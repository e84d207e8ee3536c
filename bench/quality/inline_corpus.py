"""Turns a pair file with inline texts (a_text, b_text) into a JSONL corpus.

Ids follow quchong eval's convention: "<line>-a" and "<line>-b", with line
the 1-based line number in the pair file.

Usage: python inline_corpus.py PAIRS.jsonl.zst OUT.jsonl
"""

import io
import json
import sys

import zstandard


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f, open(dst, "w", encoding="utf-8") as out:
        stream = zstandard.ZstdDecompressor().stream_reader(f) if src.endswith(".zst") else f
        for n, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8"), start=1):
            if not line.strip():
                continue
            p = json.loads(line)
            for side in ("a", "b"):
                out.write(json.dumps({"id": f"{n}-{side}", "text": p[f"{side}_text"]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
