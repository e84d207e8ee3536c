"""quchong.dedup and quchong.filter on every kind of input, against the seed corpus."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pytest

import quchong
from conftest import SEED_CLUSTERS


def _pandas(texts: list[str]) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"text": texts, "n": range(len(texts))})


def _arrow(texts: list[str]) -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.table({"text": texts, "n": list(range(len(texts)))})


def _arrow_large_string(texts: list[str]) -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.table({"text": pa.array(texts, pa.large_string()), "n": list(range(len(texts)))})


def _record_batch(texts: list[str]) -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.record_batch({"text": texts, "n": list(range(len(texts)))})


def _dataset(texts: list[str]) -> Any:
    datasets = pytest.importorskip("datasets")
    return datasets.Dataset.from_dict({"text": texts, "n": list(range(len(texts)))})


def _shuffled_dataset(texts: list[str]) -> Any:
    # A Dataset with an indices mapping: its rows are not in its Arrow table's order.
    datasets = pytest.importorskip("datasets")
    order = list(reversed(range(len(texts))))
    ds = datasets.Dataset.from_dict({"text": [texts[i] for i in order], "n": order})
    return ds.select(order)


INPUTS: dict[str, Callable[[list[str]], Any]] = {
    "list-str": lambda t: list(t),
    "tuple-str": lambda t: tuple(t),
    "list-dict": lambda t: [{"text": x, "n": i} for i, x in enumerate(t)],
    "pandas": _pandas,
    "arrow": _arrow,
    "arrow-large-string": _arrow_large_string,
    "record-batch": _record_batch,
    "datasets": _dataset,
    "datasets-indices": _shuffled_dataset,
}


@pytest.mark.parametrize("kind", INPUTS)
def test_seed_clusters(kind: str, seed_texts: list[str]) -> None:
    data = INPUTS[kind](seed_texts)
    result = quchong.dedup(data)
    assert result.clusters == SEED_CLUSTERS
    mask = result.kept_mask
    assert len(mask) == 20
    assert [i for i, kept in enumerate(mask) if not kept] == [2, 18]
    assert result.removed == [2, 18]
    total = result.stats["total"]
    assert (total["read"], total["kept"], total["removed"], total["rejected"]) == (20, 18, 2, 0)


@pytest.mark.parametrize("kind", INPUTS)
def test_seed_filter_same_type(kind: str, seed_texts: list[str]) -> None:
    data = INPUTS[kind](seed_texts)
    kept = quchong.filter(data)
    assert type(kept) is type(data) or kind == "record-batch"
    want = [t for i, t in enumerate(seed_texts) if i not in (2, 18)]
    if isinstance(kept, (list, tuple)):
        texts = [x["text"] if isinstance(x, dict) else x for x in kept]
    elif kind == "pandas":
        texts = kept["text"].tolist()
    elif kind in ("arrow", "arrow-large-string", "record-batch"):
        texts = kept.column("text").to_pylist()
    else:
        texts = kept["text"]
    assert list(texts) == want


def test_dataset_round_trip(seed_texts: list[str]) -> None:
    datasets = pytest.importorskip("datasets")
    features = datasets.Features({"text": datasets.Value("string"), "n": datasets.Value("int32")})
    ds = datasets.Dataset.from_dict({"text": seed_texts, "n": list(range(20))}, features=features)
    kept = quchong.filter(ds)
    assert isinstance(kept, datasets.Dataset)
    assert kept.features == features
    assert kept.num_rows == 18
    assert kept["n"] == [i for i in range(20) if i not in (2, 18)]
    # The filtered Dataset is an ordinary one: it maps, saves and reloads.
    again = kept.map(lambda row: {"chars": len(row["text"])})
    assert again.num_rows == 18 and again[0]["chars"] == len(seed_texts[0])


@pytest.mark.parametrize("as_path", [str, Path, lambda p: [Path(p)]])
def test_seed_paths(as_path: Callable[[Any], Any], seed_path: Path) -> None:
    result = quchong.dedup(as_path(str(seed_path)))
    p = str(seed_path)
    assert result.clusters == [[f"{p}:2", f"{p}:3"], [f"{p}:16", f"{p}:19"]]
    assert [i for i, kept in enumerate(result.kept_mask) if not kept] == [2, 18]
    assert [row["index"] for row in result.rows()] == [1, 2, 15, 18]


def test_several_paths_kept_mask(tmp_path: Path, seed_path: Path, seed_texts: list[str]) -> None:
    # The seed split in two files: positions run on across files, ids are per file.
    (tmp_path / "a.txt").write_text("\n".join(seed_texts[:10]) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(seed_texts[10:]) + "\n", encoding="utf-8")
    result = quchong.dedup([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert [i for i, kept in enumerate(result.kept_mask) if not kept] == [2, 18]
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    assert result.clusters == [[f"{a}:2", f"{a}:3"], [f"{b}:6", f"{b}:9"]]


def test_id_field(seed_texts: list[str]) -> None:
    records = [{"text": t, "doc": f"doc-{i}"} for i, t in enumerate(seed_texts)]
    result = quchong.dedup(records, id_field="doc")
    assert result.clusters == [["doc-1", "doc-2"], ["doc-15", "doc-18"]]
    assert [(row["id"], row["index"]) for row in result.rows()] == [("doc-1", 1), ("doc-2", 2), ("doc-15", 15), ("doc-18", 18)]
    pytest.importorskip("pyarrow")
    table = result.table()
    assert table.column_names == ["id", "cluster", "kept", "reason", "similarity", "index"]
    assert table.column("id").to_pylist() == ["doc-1", "doc-2", "doc-15", "doc-18"]
    assert table.column("index").to_pylist() == [1, 2, 15, 18]


@pytest.mark.parametrize("kind", ["pandas", "arrow", "datasets"])
def test_id_field_tables(kind: str, seed_texts: list[str]) -> None:
    data = INPUTS[kind](seed_texts)
    result = quchong.dedup(data, id_field="n")
    assert result.clusters == SEED_CLUSTERS
    ids = [100 + i for i in range(20)]
    if kind == "pandas":
        data = data.assign(n=ids)
    elif kind == "arrow":
        data = data.set_column(1, "n", __import__("pyarrow").array(ids))
    else:
        data = data.remove_columns("n").add_column("n", ids)
    assert quchong.dedup(data, id_field="n").clusters == [[101, 102], [115, 118]]


def test_reasons_and_similarity(seed_texts: list[str]) -> None:
    result = quchong.dedup(seed_texts)
    rows = result.rows()
    assert [(r["id"], r["cluster"], r["kept"], r["reason"]) for r in rows] == [
        (1, 0, True, "exact"),
        (2, 0, False, "exact"),
        (15, 1, True, "near"),
        (18, 1, False, "near"),
    ]
    assert rows[1]["similarity"] == 1.0
    assert 0.6 <= rows[3]["similarity"] < 1.0
    pytest.importorskip("pyarrow")
    assert result.table().to_pylist() == rows


def test_options_reach_the_binary(seed_texts: list[str]) -> None:
    # 16 and 19 are 0.963 similar: a stricter threshold keeps both.
    assert quchong.dedup(seed_texts, threshold=0.97).clusters == [[1, 2]]
    # Line 19 is longer than line 16: keep="longest" keeps it instead.
    assert quchong.dedup(seed_texts, keep="longest").clusters == [[1, 2], [18, 15]]
    # Without masks the re-anonymised copy is further away.
    strict = quchong.dedup(seed_texts, masks=False, threshold=0.9)
    assert strict.clusters == [[1, 2]]
    assert strict.stats["params"]["normalize"]["masks"] is False
    assert quchong.dedup(seed_texts, workers=1, k=64).stats["params"]["k"] == 64


def test_keep_by_field(seed_texts: list[str]) -> None:
    records = [{"text": t, "score": -i} for i, t in enumerate(seed_texts)]
    assert quchong.dedup(records, keep="min:score").clusters == [[2, 1], [18, 15]]
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"body": seed_texts, "score": [-i for i in range(20)]})
    assert quchong.dedup(table, text_field="body", keep="min:score").clusters == [[2, 1], [18, 15]]


def test_rejected_records_are_accounted() -> None:
    text = "张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元。"
    records = [{"text": text}, {"body": text}, {"text": 7}, {"text": "   "}, {"text": text}]
    result = quchong.dedup(records)
    assert result.clusters == [[0, 4]]
    assert result.kept_mask == [True, False, False, False, False]
    assert [(r["index"], r["reason"]) for r in result.rejected] == [
        (1, "missing-text"),
        (2, "non-string-text"),
        (3, "empty"),
    ]
    t = result.stats["total"]
    assert t["read"] == t["kept"] + t["removed"] + t["rejected"] == 5
    assert quchong.filter(records) == records[:1]


def test_empty_input() -> None:
    result = quchong.dedup([])
    assert result.clusters == [] and result.kept_mask == []
    assert quchong.filter([]) == []


def test_texts_with_newlines_are_one_document() -> None:
    text = "第一段：北京市朝阳区今天召开了项目进度讨论会。\n第二段：各部门负责人参加了会议并发言。"
    result = quchong.dedup([text, text.replace("\n", "\r\n"), "另一篇文章的内容与上面完全不同，讲的是天气。"])
    assert result.stats["total"]["read"] == 3
    assert result.clusters == [[0, 1]]


def test_output_dir(tmp_path: Path, seed_path: Path) -> None:
    out = tmp_path / "out"
    result = quchong.dedup(seed_path, output_dir=out, removed=True)
    assert result.output_dir == str(out)
    assert result.report_path == str(out / "report.html") and os.path.exists(result.report_path)
    kept = (out / "kept" / "seed.txt").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 18
    assert len((out / "removed" / "seed.txt").read_text(encoding="utf-8").splitlines()) == 2
    # A second run into the same directory needs force, as on the command line.
    with pytest.raises(ValueError, match="not empty"):
        quchong.dedup(seed_path, output_dir=out)
    assert quchong.dedup(seed_path, output_dir=out, force=True, no_report=True).report_path is None


def test_temporary_output_lives_with_the_result(seed_texts: list[str]) -> None:
    result = quchong.dedup(seed_texts)
    assert result.stats["dry_run"] is True
    assert result.report_path is not None and os.path.exists(result.report_path)
    out = result.output_dir
    del result
    import gc

    gc.collect()
    assert not os.path.exists(out)


def test_version_is_the_binary_version() -> None:
    import subprocess

    out = subprocess.run([quchong.binary(), "version"], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["quchong", quchong.__version__]


def test_runs_the_installed_package() -> None:
    # python/run-tests.sh sets QUCHONG_TEST_INSTALLED: the package and its
    # binary must then come from the installed wheel, not the source tree.
    if not os.environ.get("QUCHONG_TEST_INSTALLED"):
        pytest.skip("run by python/run-tests.sh against the installed wheel")
    from conftest import REPO

    package = Path(quchong.__file__).resolve().parent
    assert REPO not in package.parents, package
    assert Path(quchong.binary()) == package / "bin" / "quchong"
    assert os.access(quchong.binary(), os.X_OK)


def test_size_options(seed_texts: list[str]) -> None:
    # The seed's paragraphs are 300 to 1,500 bytes: a 1,000-byte limit rejects some as too large.
    result = quchong.dedup(seed_texts, max_doc_bytes=1000, memory=64 << 20)
    too_large = [r["index"] for r in result.rejected if r["reason"] == "too-large"]
    assert too_large == [i for i, t in enumerate(seed_texts) if len(t.encode("utf-8")) > 1000]
    assert too_large and result.stats["params"]["memory_budget"] == 64 << 20
    assert all(not result.kept_mask[i] for i in too_large)


def test_pandas_index_is_kept(seed_texts: list[str]) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": seed_texts}, index=[f"row{i}" for i in range(20)])
    kept = quchong.filter(df)
    assert list(kept.index) == [f"row{i}" for i in range(20) if i not in (2, 18)]


def test_pandas_written_in_slices(monkeypatch: pytest.MonkeyPatch, seed_texts: list[str]) -> None:
    # Slices of 3 rows: the first holds only missing texts, a later one object-typed strings.
    pd = pytest.importorskip("pandas")
    monkeypatch.setattr(quchong._inputs, "_SLICE_ROWS", 3)
    texts = [None, None, None, *seed_texts]
    df = pd.DataFrame({"text": pd.Series(texts, dtype=object)})
    result = quchong.dedup(df)
    assert result.clusters == [[i + 3 for i in c] for c in SEED_CLUSTERS]
    assert [(r["index"], r["reason"]) for r in result.rejected] == [(0, "missing-text"), (1, "missing-text"), (2, "missing-text")]
    with pytest.raises(ValueError, match="rows 3..5: .*column 'text' has type int64"):
        quchong.dedup(pd.DataFrame({"text": pd.Series(["北京市朝阳区今天召开了会议"] * 3 + [1, 2, 3], dtype=object)}))
