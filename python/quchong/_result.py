"""The result of a dedup run, read from its clusters.jsonl, rejected.jsonl and stats.json."""

from __future__ import annotations

import json
import os
import shutil
import weakref
from typing import Any, Callable, Optional


def open_run(owner: object, output_dir: str, keepalive: Optional[str]) -> tuple[dict[str, Any], Optional[str]]:
    """A run's stats.json and report path; the temporary directory
    ``keepalive``, if any, is removed when ``owner`` is collected."""
    if keepalive is not None:
        weakref.finalize(owner, shutil.rmtree, keepalive, ignore_errors=True)
    with open(os.path.join(output_dir, "stats.json"), encoding="utf-8") as f:
        stats: dict[str, Any] = json.load(f)
    report = os.path.join(output_dir, "report.html")
    return stats, report if os.path.exists(report) else None


class Result:
    """What ``quchong.dedup`` found: its clusters, which records it keeps, its counts.

    The fields mirror the run's output files (README.md, "Outputs"):

    - ``clusters``: one list of ids per cluster of two or more documents,
      the kept document first, then the removed ones in input order, the
      clusters in the input order of their first document (clusters.jsonl).
    - ``kept_mask``: one bool per input record, in input order: False for a
      removed duplicate and for a rejected record (one the binary could not
      use, listed in ``rejected``), True otherwise.
    - ``stats``: the content of stats.json (counts, parameters, timings).
    - ``rejected``: one dict per rejected record (rejected.jsonl), with its
      0-based ``index`` in the data.
    - ``report_path``: the run's report.html, or None with ``no_report=True``.
    - ``output_dir``: the run's output directory. Without ``output_dir=``
      it is a temporary directory that lives as long as this object.

    Ids are the records' 0-based positions unless ``id_field`` named a
    field; for paths without ``id_field`` they are the binary's
    ``PATH:LINE`` ids.
    """

    def __init__(
        self,
        *,
        output_dir: str,
        n: Optional[int],
        kind: str,
        position_of: Optional[Callable[[str], int]],
        ids_of: Optional[Callable[[list[int]], list[Any]]],
        keepalive: Optional[str] = None,
    ) -> None:
        self.output_dir = output_dir
        self.stats, self.report_path = open_run(self, output_dir, keepalive)
        self._n = n if n is not None else int(self.stats["total"]["read"])

        raw_ids: list[str] = []
        self._cluster: list[int] = []
        self._kept: list[bool] = []
        self._reason: list[str] = []
        self._similarity: list[float] = []
        with open(os.path.join(output_dir, "clusters.jsonl"), encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                raw_ids.append(row["id"])
                self._cluster.append(row["cluster"])
                self._kept.append(row["kept"])
                self._reason.append(row["reason"])
                self._similarity.append(row["similarity"])

        self.rejected: list[dict[str, Any]] = []
        rejected_path = os.path.join(output_dir, "rejected.jsonl")
        if os.path.exists(rejected_path):
            with open(rejected_path, encoding="utf-8") as f:
                self.rejected = [json.loads(line) for line in f]

        # Positions (0-based, in input order) of the clustered and rejected
        # records, where the ids say them.
        self._positions: Optional[list[int]] = None
        self._rejected_positions: Optional[list[int]] = None
        if position_of is not None:
            self._positions = [position_of(i) for i in raw_ids]
            self._rejected_positions = [position_of(f"{r['file']}:{r['record']}") for r in self.rejected]
            for r, p in zip(self.rejected, self._rejected_positions):
                r["index"] = p
                if kind != "paths":
                    del r["file"]  # the temporary file the data was written to
        if kind == "paths":
            self._ids: list[Any] = raw_ids
        elif ids_of is not None:
            assert self._positions is not None
            self._ids = ids_of(self._positions)
            if self.rejected:
                assert self._rejected_positions is not None
                for r, i in zip(self.rejected, ids_of(self._rejected_positions)):
                    r["id"] = i
        else:
            assert self._positions is not None
            self._ids = list(self._positions)

    def __repr__(self) -> str:
        t = self.stats["total"]
        return (
            f"Result(read={t['read']}, kept={t['kept']}, removed={t['removed']}, "
            f"rejected={t['rejected']}, clusters={self.stats['clusters']})"
        )

    @property
    def clusters(self) -> list[list[Any]]:
        """The clusters, each a list of ids, the kept one first (clusters.jsonl's order)."""
        by_cluster: dict[int, list[Any]] = {}
        for c, i in zip(self._cluster, self._ids):
            by_cluster.setdefault(c, []).append(i)
        return list(by_cluster.values())

    @property
    def kept_mask(self) -> list[bool]:
        """One bool per input record, in input order: True where the record is kept.

        For paths, only when the ids are PATH:LINE (no ``id_field``); an id
        field's values do not say where their records are.
        """
        if self._positions is None or self._rejected_positions is None:
            raise ValueError(
                "quchong: kept_mask needs PATH:LINE ids; run dedup on paths without id_field to get it"
            )
        mask = [True] * self._n
        for p, kept in zip(self._positions, self._kept):
            if not kept:
                mask[p] = False
        for p in self._rejected_positions:
            mask[p] = False
        return mask

    @property
    def removed(self) -> list[Any]:
        """The ids of the removed duplicates, cluster by cluster."""
        return [i for i, kept in zip(self._ids, self._kept) if not kept]

    def rows(self) -> list[dict[str, Any]]:
        """clusters.jsonl's rows as dicts (id, cluster, kept, reason, similarity), with ids
        as in ``clusters`` and, where known, each document's 0-based ``index`` in the input."""
        out = []
        for n, i in enumerate(self._ids):
            row = {
                "id": i,
                "cluster": self._cluster[n],
                "kept": self._kept[n],
                "reason": self._reason[n],
                "similarity": self._similarity[n],
            }
            if self._positions is not None:
                row["index"] = self._positions[n]
            out.append(row)
        return out

    def table(self) -> Any:
        """clusters.jsonl as a pyarrow Table: id, cluster, kept, reason, similarity.

        With in-memory data, or paths without ``id_field``, an ``index``
        column gives each document's 0-based position in the input.
        """
        try:
            import pyarrow as pa
        except ImportError as err:  # pragma: no cover - exercised only without pyarrow
            raise ImportError("quchong: Result.table() needs pyarrow (pip install 'quchong[arrow]')") from err
        columns = {
            "id": pa.array(self._ids),
            "cluster": pa.array(self._cluster, pa.int64()),
            "kept": pa.array(self._kept, pa.bool_()),
            "reason": pa.array(self._reason, pa.string()),
            "similarity": pa.array(self._similarity, pa.float64()),
        }
        if self._positions is not None:
            columns["index"] = pa.array(self._positions, pa.int64())
        return pa.table(columns)
