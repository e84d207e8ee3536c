"""quchong.explain: the decision trail of `quchong explain --json` for two texts."""

from __future__ import annotations

import pytest

import quchong


def test_seed_pair_is_merged(seed_texts: list[str]) -> None:
    trail = quchong.explain(seed_texts[15], seed_texts[18])
    assert trail["merged"] is True
    assert trail["a"]["id"] == "a" and trail["b"]["id"] == "b"
    assert trail["b"]["masks"] > 0
    assert trail["mask_aware_similarity"] >= 0.6
    assert trail["params"]["threshold"] == 0.6
    steps = [(step["stage"], step["outcome"]) for step in trail["trail"]]
    assert steps[0] == ("exact", "different")
    assert steps[-1] == ("check", "removed")


def test_threshold_changes_the_verdict(seed_texts: list[str]) -> None:
    trail = quchong.explain(seed_texts[15], seed_texts[18], threshold=0.99)
    assert trail["merged"] is False
    assert trail["params"]["threshold"] == 0.99


def test_unrelated_texts(seed_texts: list[str]) -> None:
    trail = quchong.explain(seed_texts[0], seed_texts[5])
    assert trail["merged"] is False
    assert trail["shingle_jaccard"] < 0.2


def test_texts_with_newlines_are_read_whole() -> None:
    text = "第一段：北京市朝阳区今天召开了项目进度讨论会。\n第二段：各部门负责人参加了会议。"
    trail = quchong.explain(text, text + "\n")
    assert trail["merged"] is True
    assert trail["reason"] == "exact"


def test_explain_errors() -> None:
    with pytest.raises(ValueError, match="threshold"):
        quchong.explain("a", "b", threshold=0)
    with pytest.raises(TypeError, match="text_b is int"):
        quchong.explain("a", 3)  # type: ignore[arg-type]
