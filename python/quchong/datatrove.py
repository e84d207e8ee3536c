"""A datatrove pipeline step that deduplicates the documents flowing through it.

Install with ``pip install 'quchong[datatrove]'``. ``QuchongDedup`` takes the
place of datatrove's MinHash stages (signatures, buckets, cluster, filter) in
one step: it spools the documents of its task to a temporary directory
(their texts for the binary, the documents themselves, metadata and media
included, pickled one by one, so that memory does not grow with the corpus),
runs ``quchong dedup`` on the texts, then yields the kept documents in their
order. Removed documents go to ``exclusion_writer`` when one is given, with
the duplicate's cluster in their metadata.

Each task deduplicates its own documents: run the step in a pipeline of one
task (``tasks=1``) to deduplicate the whole corpus, as quchong's own engine
uses every core of the machine within that task.

>>> from datatrove.data import Document
>>> from quchong.datatrove import QuchongDedup
>>> docs = [
...     Document(text="张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元。", id="a"),
...     Document(text="今天下午三点在会议室召开项目进度讨论会，请各部门负责人准时参加。", id="b"),
...     Document(text="XX于20**年3月在北京市朝阳区购买了一套住房，总价三百万元。", id="c"),
... ]
>>> [doc.id for doc in QuchongDedup().run(iter(docs))]
['a', 'b']
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import tempfile
from typing import Any, Optional

try:
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
except ImportError as err:  # pragma: no cover - exercised only without datatrove
    raise ImportError("quchong.datatrove needs datatrove: pip install 'quchong[datatrove]'") from err

from ._api import dedup


class QuchongDedup(PipelineStep):
    """Drops the exact and near duplicates among a task's documents.

    ``threshold``, ``keep`` and ``options`` are ``quchong.dedup``'s keywords
    (``keep="max:FIELD"`` and ``"min:FIELD"`` read ``doc.metadata[FIELD]``).
    ``exclusion_writer`` (a datatrove DiskWriter) receives the removed
    documents and those the binary rejects (empty texts), with
    ``metadata["quchong"]`` saying why: the cluster, the id of the kept
    document, the reason and the similarity, or the rejection reason.
    ``tmp_dir`` is where documents are spooled (default: the system's
    temporary directory); the spool is removed when the step ends.
    """

    name = "quchong dedup"
    type = "🫂 - DEDUP"

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        keep: str = "first",
        exclusion_writer: Any = None,
        tmp_dir: Optional[str] = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.threshold = threshold
        self.keep = keep
        self.exclusion_writer = exclusion_writer
        self.tmp_dir = tmp_dir
        self.options = options

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        field = None
        for prefix in ("max:", "min:"):
            if self.keep.startswith(prefix):
                field = self.keep[len(prefix) :]
        with tempfile.TemporaryDirectory(prefix="quchong-datatrove-", dir=self.tmp_dir) as spool:
            texts_path = os.path.join(spool, "texts.jsonl")
            docs_path = os.path.join(spool, "docs.pickle")
            ids: list[Any] = []  # the documents' ids, to name each removed one's kept document
            with open(texts_path, "w", encoding="utf-8") as texts, open(docs_path, "wb") as docs:
                pickler = pickle.Pickler(docs, protocol=pickle.HIGHEST_PROTOCOL)
                for doc in data:
                    record: dict[str, Any] = {"text": doc.text}
                    if field is not None and field in doc.metadata:
                        record[field] = doc.metadata[field]
                    texts.write(json.dumps(record, ensure_ascii=False, default=str))
                    texts.write("\n")
                    pickler.dump(doc)
                    pickler.clear_memo()
                    ids.append(doc.id)
            with self.track_time(unit="task"):
                result = dedup(
                    texts_path,
                    threshold=self.threshold,
                    keep=self.keep,
                    output_dir=os.path.join(spool, "out"),
                    dry_run=True,
                    no_report=True,
                    format="jsonl",
                    **self.options,
                )
            mask = result.kept_mask
            why = _why_removed(result, ids)
            writer_cm = self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext()
            with open(docs_path, "rb") as docs, writer_cm as writer:
                for i in range(len(ids)):
                    doc = pickle.load(docs)
                    if mask[i]:
                        self.stat_update("forwarded")
                        self.update_doc_stats(doc)
                        yield doc
                        continue
                    self.stat_update("dropped")
                    if writer is not None:
                        doc.metadata["quchong"] = why.get(i, {})
                        writer.write(doc, rank)


def _why_removed(result: Any, ids: list[Any]) -> dict[int, dict[str, Any]]:
    """For each removed or rejected position, what the run said about it."""
    why: dict[int, dict[str, Any]] = {}
    table = result.rows()
    kept_of: dict[int, int] = {}
    for row in table:
        if row["kept"]:
            kept_of[row["cluster"]] = row["index"]
    for row in table:
        if not row["kept"]:
            why[row["index"]] = {
                "cluster": row["cluster"],
                "kept_id": ids[kept_of[row["cluster"]]],
                "reason": row["reason"],
                "similarity": row["similarity"],
            }
    for r in result.rejected:
        why[r["index"]] = {"rejected": r["reason"], "detail": r.get("detail")}
    return why
