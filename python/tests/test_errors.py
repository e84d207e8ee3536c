"""How quchong's Python API fails: bad options, bad data, failed runs."""

from __future__ import annotations

import inspect
import re
import subprocess
from pathlib import Path
from typing import Callable

import pytest

import quchong
from quchong import _cli


@pytest.mark.parametrize(
    "options, message",
    [
        ({"threshold": 2}, "--threshold 2: want in (0, 1]"),
        ({"threshold": "high"}, "invalid value \"high\" for --threshold: want a number"),
        ({"keep": "biggest"}, "biggest"),
        ({"tokens": "syllables"}, "syllables"),
        ({"memory": "lots"}, "lots"),
        ({"bands": 64, "rows": 4}, "bands"),
    ],
)
def test_bad_option_raises_value_error_with_the_cli_message(options: dict, message: str, seed_texts: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        quchong.dedup(seed_texts, **options)
    assert message in str(info.value)
    assert "Usage:" not in str(info.value)


def test_unknown_keyword_is_a_type_error(seed_texts: list[str]) -> None:
    with pytest.raises(TypeError, match="threshhold"):
        quchong.dedup(seed_texts, threshhold=0.7)  # type: ignore[call-arg]


def test_missing_file_raises_with_exit_code_and_stderr(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(quchong.QuchongError) as info:
        quchong.dedup(missing)
    assert info.value.returncode == 3
    assert str(missing) in info.value.stderr
    assert "exited with code 3" in str(info.value)


def test_unwritable_output_raises_exit_4(tmp_path: Path, seed_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(quchong.QuchongError) as info:
        quchong.dedup(seed_path, output_dir=tmp_path / "file" / "out")
    assert info.value.returncode == 4
    assert "not a directory" in info.value.stderr


def test_strict_run_raises_on_a_rejected_record() -> None:
    records = [{"text": "北京市朝阳区今天召开了项目进度讨论会"}, {"text": None}]
    with pytest.raises(quchong.QuchongError) as info:
        quchong.dedup(records, strict=True)
    assert info.value.returncode == 3
    assert "missing-text" in info.value.stderr or "line 2" in info.value.stderr


def test_unreadable_input_warns_and_returns(tmp_path: Path) -> None:
    (tmp_path / "bad.txt.gz").write_bytes(b"this is not gzip at all")
    (tmp_path / "ok.txt").write_text("北京市朝阳区今天召开了项目进度讨论会\n", encoding="utf-8")
    with pytest.warns(quchong.QuchongWarning, match="bad.txt.gz"):
        result = quchong.dedup([tmp_path / "ok.txt", tmp_path / "bad.txt.gz"])
    assert result.stats["faults"]
    assert result.kept_mask == [True]


def test_non_string_text_column_is_rejected_per_row(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": pa.array([1, 2], pa.int64())}), tmp_path / "ints.parquet")
    result = quchong.dedup(tmp_path / "ints.parquet")
    assert result.stats["total"]["rejected_by_reason"] == {"non-string-text": 2}
    assert result.kept_mask == [False, False]


@pytest.mark.parametrize(
    "data, error, message",
    [
        (["a text", 3], TypeError, r"data\[1\] is int"),
        ([{"text": "a"}, "b"], TypeError, r"data\[1\] is str"),
        ([{"text": b"bytes"}], TypeError, r"data\[0\]"),
        ([3.5], TypeError, r"data\[0\] is float"),
        ({"text": "a"}, TypeError, "cannot deduplicate a builtins.dict"),
    ],
)
def test_bad_data(data: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        quchong.dedup(data)


def test_bad_columns() -> None:
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(ValueError, match="no column 'text'"):
        quchong.dedup(pa.table({"body": ["a"]}))
    with pytest.raises(ValueError, match="column 'text' has type int64"):
        quchong.dedup(pa.table({"text": [1, 2]}))
    with pytest.raises(ValueError, match="no column 'doc'"):
        quchong.dedup(pa.table({"text": ["a"]}), id_field="doc")
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="no column 'text'"):
        quchong.dedup(pd.DataFrame({"body": ["a"]}))
    with pytest.raises(ValueError):
        quchong.dedup(pd.DataFrame({"text": ["a", 3]}))


def test_misplaced_options(seed_path: Path, seed_texts: list[str]) -> None:
    with pytest.raises(ValueError, match="format applies to paths only"):
        quchong.dedup(seed_texts, format="txt")
    with pytest.raises(ValueError, match="id_field needs records"):
        quchong.dedup(seed_texts, id_field="id")
    with pytest.raises(TypeError, match="for files use dedup"):
        quchong.filter(seed_path)
    # A path's id field says nothing of where its records are.
    with pytest.raises(ValueError, match="kept_mask needs PATH:LINE ids"):
        quchong.dedup(seed_path, id_field="id").kept_mask


def test_missing_binary(monkeypatch: pytest.MonkeyPatch, seed_texts: list[str], tmp_path: Path) -> None:
    monkeypatch.setenv("QUCHONG_BINARY", str(tmp_path / "no-such-binary"))
    with pytest.raises(FileNotFoundError):
        quchong.dedup(seed_texts)


def test_every_dedup_flag_is_a_keyword(help_flags: Callable[[str], set[str]]) -> None:
    flags = help_flags("dedup")
    offered = set(_cli.DEDUP_FLAGS.values())
    assert offered | set(_cli.DEDUP_FLAGS_NOT_OFFERED) == flags
    assert not offered & set(_cli.DEDUP_FLAGS_NOT_OFFERED)
    params = set(inspect.signature(quchong.dedup).parameters) - {"data", "output_dir"}
    assert params == set(_cli.DEDUP_FLAGS)


def test_every_explain_detection_flag_is_a_keyword(help_flags: Callable[[str], set[str]]) -> None:
    flags = help_flags("explain")
    offered = set(_cli.EXPLAIN_FLAGS.values())
    assert offered | set(_cli.EXPLAIN_FLAGS_NOT_OFFERED) == flags
    params = set(inspect.signature(quchong.explain).parameters) - {"text_a", "text_b"}
    assert params == set(_cli.EXPLAIN_FLAGS)
