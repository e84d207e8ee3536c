"""quchong.datatrove.QuchongDedup in a datatrove pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from quchong.datatrove import QuchongDedup  # noqa: E402


def test_step_drops_the_seed_duplicates(seed_texts: list[str]) -> None:
    docs = [Document(text=t, id=f"d{i}", metadata={"i": i}) for i, t in enumerate(seed_texts)]
    step = QuchongDedup()
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == [f"d{i}" for i in range(20) if i not in (2, 18)]
    assert all(d.metadata == {"i": int(d.id[1:])} for d in kept)
    assert step.stats["forwarded"].total == 18
    assert step.stats["dropped"].total == 2


def test_step_rejected_documents_go_to_the_exclusion_writer(seed_texts: list[str]) -> None:
    class Collect:
        def __init__(self) -> None:
            self.docs: list[Document] = []

        def __enter__(self) -> "Collect":
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def write(self, doc: Document, rank: int = 0) -> None:
            self.docs.append(doc)

    docs = [Document(text=t, id=f"d{i}") for i, t in enumerate(seed_texts[:4] + ["   "])]
    writer = Collect()
    kept = [d.id for d in QuchongDedup(exclusion_writer=writer).run(iter(docs))]
    assert kept == ["d0", "d1", "d3"]
    assert {d.id: d.metadata["quchong"].get("rejected", "removed") for d in writer.docs} == {
        "d2": "removed",
        "d4": "empty",
    }


def test_step_keep_rule_reads_metadata(seed_texts: list[str]) -> None:
    docs = [Document(text=t, id=f"d{i}", metadata={"q": -i}) for i, t in enumerate(seed_texts)]
    kept = [d.id for d in QuchongDedup(keep="max:q").run(iter(docs))]
    # max:q keeps the earlier document of each pair (the larger -i).
    assert "d1" in kept and "d2" not in kept and "d15" in kept and "d18" not in kept
    kept = [d.id for d in QuchongDedup(keep="min:q").run(iter(docs))]
    assert "d2" in kept and "d1" not in kept and "d18" in kept and "d15" not in kept


def test_pipeline_with_exclusion_writer(tmp_path: Path, seed_texts: list[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    with open(src / "seed.jsonl", "w", encoding="utf-8") as f:
        for i, t in enumerate(seed_texts):
            f.write(json.dumps({"text": t, "id": f"s{i}"}, ensure_ascii=False) + "\n")
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            QuchongDedup(exclusion_writer=JsonlWriter(str(tmp_path / "removed"), compression=None)),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    out = [json.loads(line) for p in sorted((tmp_path / "out").glob("*.jsonl")) for line in p.read_text("utf-8").splitlines()]
    assert [d["id"] for d in out] == [f"s{i}" for i in range(20) if i not in (2, 18)]
    removed = [
        json.loads(line)
        for p in sorted((tmp_path / "removed").glob("*.jsonl"))
        for line in p.read_text("utf-8").splitlines()
    ]
    why = {d["id"]: d["metadata"]["quchong"] for d in removed}
    assert set(why) == {"s2", "s18"}
    assert why["s2"]["kept_id"] == "s1" and why["s2"]["reason"] == "exact"
    assert why["s18"]["kept_id"] == "s15" and why["s18"]["reason"] == "near"
    assert 0.6 <= why["s18"]["similarity"] < 1
