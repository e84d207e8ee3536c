"""quchong.lines and quchong.substr against the binary they run."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Callable

import pytest

import quchong
from quchong import _cli

FOOTERS = ["责任编辑：XX", "责任编辑：×××", "责任编辑：某某", "责任编辑：ＸＸ"]


def _footer_texts(seed_texts: list[str]) -> list[str]:
    # Records 0-3 end with the same footer in four masked forms; 4 and 5 have none.
    return [seed_texts[i] + "\n" + FOOTERS[i] for i in range(4)] + seed_texts[4:6]


@pytest.mark.parametrize(
    "command,table",
    [("lines", _cli.LINES_FLAGS), ("substr", _cli.SUBSTR_FLAGS)],
)
def test_every_flag_is_a_keyword(command: str, table: dict[str, str], help_flags: Callable[[str], set[str]]) -> None:
    flags = help_flags(command)
    offered = set(table.values())
    assert offered | set(_cli.SUB_FLAGS_NOT_OFFERED) == flags
    assert not offered & set(_cli.SUB_FLAGS_NOT_OFFERED)
    params = set(inspect.signature(getattr(quchong, command)).parameters) - {"data", "output_dir"}
    assert params == set(table)


@pytest.mark.parametrize("kind", ["list-str", "list-dict", "pandas", "arrow"])
def test_lines_footer(kind: str, seed_texts: list[str]) -> None:
    texts = _footer_texts(seed_texts)
    data: Any = texts
    if kind == "list-dict":
        data = [{"body": t, "n": i} for i, t in enumerate(texts)]
    elif kind == "pandas":
        import pandas as pd

        data = pd.DataFrame({"body": texts})
    elif kind == "arrow":
        import pyarrow as pa

        data = pa.table({"body": texts})
    field = "text" if kind == "list-str" else "body"
    result = quchong.lines(data, min_docs=4, min_unit=5, text_field=field)
    assert result.texts == seed_texts[:6]
    assert [(r["index"], r["text"], r["count"], r["reason"]) for r in result.removed] == [
        (i, FOOTERS[i], 4, "unit") for i in range(4)
    ]
    assert result.kept_mask == [True] * 6
    assert result.stats["total"]["changed"] == 4
    assert "file" not in result.removed[0]


def test_lines_dropped_and_rejected_records(seed_texts: list[str]) -> None:
    data = [{"text": t, "doc": f"d{i}"} for i, t in enumerate(_footer_texts(seed_texts))]
    data.insert(1, {"doc": "no-text"})  # rejected: no text field
    data.append({"text": FOOTERS[0], "doc": "footer-only"})  # nothing left: dropped
    result = quchong.lines(data, min_docs=4, min_unit=5, id_field="doc")
    assert result.kept_mask == [True, False, True, True, True, True, True, False]
    assert result.texts is not None
    assert result.texts[1] is None and result.texts[7] is None
    assert result.texts[2] == seed_texts[1]
    assert [r["id"] for r in result.rejected] == ["no-text"]
    assert [r["id"] for r in result.removed if r["reason"] == "too-short"] == ["footer-only"]
    t = result.stats["total"]
    assert t["read"] == t["kept"] + t["dropped"] + t["rejected"] == 8


def test_substr_keeps_the_first_occurrence(seed_texts: list[str]) -> None:
    passage = "本院认为被告人的行为已构成盗窃罪依法应予惩处公诉机关指控的罪名成立应予支持"
    texts = [seed_texts[i] + passage for i in (3, 4, 5)]
    result = quchong.substr(texts, min_span=30)
    assert result.texts == [texts[0], seed_texts[4], seed_texts[5]]
    assert [(r["index"], r["text"]) for r in result.removed] == [(1, passage), (2, passage)]
    every = quchong.substr(texts, min_span=30, remove_all=True)
    assert every.texts == seed_texts[3:6]


def test_paths_and_output_dir(tmp_path: Path, seed_path: Path) -> None:
    out = tmp_path / "out"
    result = quchong.lines(seed_path, keep_first=True, unit="sentence", min_length=30, output_dir=out)
    assert result.texts is None
    assert result.output_dir == str(out)
    assert (out / "kept" / "seed.txt").exists()
    # Line 3 is a copy of line 2: dropped, its id the binary's PATH:LINE.
    dropped = [r for r in result.removed if r["reason"] == "too-short"]
    assert [r["index"] for r in dropped] == [2]
    assert dropped[0]["id"].endswith("seed.txt:3")
    assert result.kept_mask.count(False) == 1
    with open(out / "stats.json", encoding="utf-8") as f:
        assert json.load(f)["method"] == "lines"


def test_bad_options(seed_texts: list[str]) -> None:
    with pytest.raises(ValueError, match="choose a policy"):
        quchong.lines(seed_texts)
    with pytest.raises(ValueError, match="format applies to paths only"):
        quchong.substr(seed_texts, format="jsonl")
    with pytest.raises(ValueError, match="output_compression applies to paths only"):
        quchong.lines(seed_texts, keep_first=True, output_compression="zstd")
    with pytest.raises(ValueError, match="min-span"):
        quchong.substr(seed_texts, min_span=0)
