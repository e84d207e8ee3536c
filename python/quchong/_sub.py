"""quchong.lines and quchong.substr: repetition below the document."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any, Callable, Mapping, Optional, Union

from . import _cli, _inputs
from ._result import open_run

PathLike = Union[str, "os.PathLike[str]"]


class SubResult:
    """What ``quchong.lines`` or ``quchong.substr`` removed, and what is left.

    The fields mirror the run's output files (README.md, "Below the
    document"):

    - ``texts``: for in-memory data, one entry per input record, in input
      order: its text with the repeated units or spans cut out, or None for
      a record dropped (left shorter than ``min_length``) or rejected. For
      paths it is None: the rewritten files are in ``output_dir/kept/``.
    - ``kept_mask``: one bool per input record: False where it was dropped
      or rejected (for paths, only when their ids are PATH:LINE).
    - ``removed``: one dict per removed unit or span (removed.jsonl): ``id``,
      ``start`` and ``end`` (character offsets into the original text),
      ``text``, ``count``, ``reason`` (``unit``, ``span``, or ``too-short``
      for what was left of a dropped record) and, where known, the record's
      0-based ``index``.
    - ``stats``: the content of stats.json; ``rejected``: rejected.jsonl's
      records, with their ``index``; ``report_path``: report.html, or None.
    - ``output_dir``: the run's output directory. Without ``output_dir=``
      it is a temporary directory that lives as long as this object.
    """

    def __init__(
        self,
        *,
        output_dir: str,
        kind: str,
        prepared: _inputs.Prepared,
        position_of: Optional[Callable[[str], int]],
        text_column: str,
        keepalive: Optional[str] = None,
    ) -> None:
        self.output_dir = output_dir
        self.stats, self.report_path = open_run(self, output_dir, keepalive)
        n = prepared.n if prepared.n is not None else int(self.stats["total"]["read"])
        self.removed: list[dict[str, Any]] = _read_jsonl(os.path.join(output_dir, "removed.jsonl"))
        self.rejected: list[dict[str, Any]] = _read_jsonl(os.path.join(output_dir, "rejected.jsonl"))

        self._gone: Optional[set[int]] = None  # dropped or rejected positions
        if position_of is not None:
            gone: set[int] = set()
            for row in self.removed:
                row["index"] = position_of(row["id"])
                if row["reason"] == "too-short":
                    gone.add(row["index"])
            for row in self.rejected:
                row["index"] = position_of(f"{row['file']}:{row['record']}")
                gone.add(row["index"])
            self._gone = gone
            if kind != "paths":
                for row in self.removed + self.rejected:
                    del row["file"]  # the temporary file the data was written to
                    row["id"] = row["index"]
                if prepared.ids_of is not None:
                    for rows in (self.removed, self.rejected):
                        for row, i in zip(rows, prepared.ids_of([r["index"] for r in rows])):
                            row["id"] = i
        self._n = n

        self.texts: Optional[list[Optional[str]]] = None
        if kind != "paths":
            assert self._gone is not None
            kept = _read_kept(output_dir, prepared.paths[0], text_column)
            texts: list[Optional[str]] = [None] * n
            positions = (p for p in range(n) if p not in self._gone)
            for p, text in zip(positions, kept):
                texts[p] = text
            if len(kept) != n - len(self._gone):
                raise RuntimeError(f"quchong: {len(kept)} records in kept/, {n - len(self._gone)} expected")
            self.texts = texts

    def __repr__(self) -> str:
        t = self.stats["total"]
        return (
            f"SubResult(method={self.stats['method']!r}, read={t['read']}, changed={t['changed']}, "
            f"dropped={t['dropped']}, rejected={t['rejected']}, removals={t['removals']})"
        )

    @property
    def kept_mask(self) -> list[bool]:
        """One bool per input record, in input order: False where it was dropped or rejected."""
        if self._gone is None:
            raise ValueError("quchong: kept_mask needs PATH:LINE ids; run on paths without id_field to get it")
        return [p not in self._gone for p in range(self._n)]


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _read_kept(output_dir: str, input_path: str, text_column: str) -> list[str]:
    """The texts of kept/'s copy of the file the data was written to."""
    path = os.path.join(output_dir, "kept", os.path.basename(input_path))
    if input_path.endswith(".parquet"):
        import pyarrow.parquet as pq

        column: list[str] = pq.read_table(path, columns=[text_column]).column(0).to_pylist()
        return column
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)[text_column])
    return texts


def _run(
    command: str,
    data: Any,
    options: dict[str, Any],
    table: Mapping[str, str],
    *,
    text_field: str,
    id_field: Optional[str],
    output_dir: Optional[PathLike],
    format: Optional[str],
) -> SubResult:
    from ._api import _position_of

    kind = _inputs.kind_of(data)
    if kind != "paths" and format is not None:
        raise ValueError("quchong: format applies to paths only; in-memory data is written in a format of quchong's choosing")
    if kind != "paths" and options.get("output_compression") not in (None, "same", "none"):
        raise ValueError("quchong: output_compression applies to paths only; the texts of in-memory data come back in SubResult.texts")
    keepalive = None
    if output_dir is None:
        keepalive = tempfile.mkdtemp(prefix="quchong-")
        out = os.path.join(keepalive, "out")
    else:
        out = os.fspath(output_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="quchong-input-") as workdir:
            prepared = _inputs.prepare(data, kind, workdir, text_field, id_field, "first")
            options = dict(options, text_field=text_field, format=format)
            if kind == "list-str":
                options["text_field"] = "text"
            options["id_field"] = prepared.id_field
            args = [command, "--quiet", f"-o={out}", *_cli.flag_args(options, table), *prepared.paths]
            _cli.run(args)
            return SubResult(
                output_dir=out,
                kind=kind,
                prepared=prepared,
                position_of=_position_of(prepared, out),
                text_column=options["text_field"],
                keepalive=keepalive,
            )
    except BaseException:
        # A failed call leaves no temporary output behind.
        if keepalive is not None:
            shutil.rmtree(keepalive, ignore_errors=True)
        raise


def lines(
    data: Any,
    *,
    min_docs: Optional[int] = None,
    keep_first: Optional[bool] = None,
    unit: Optional[str] = None,
    min_unit: Optional[int] = None,
    min_length: Optional[int] = None,
    text_field: str = "text",
    id_field: Optional[str] = None,
    no_masks: Optional[bool] = None,
    no_t2s: Optional[bool] = None,
    keep_punct: Optional[bool] = None,
    max_doc_bytes: Optional[int] = None,
    format: Optional[str] = None,
    strict: Optional[bool] = None,
    workers: Optional[int] = None,
    memory: Optional[Union[int, str]] = None,
    output_dir: Optional[PathLike] = None,
    output_compression: Optional[str] = None,
    compression_level: Optional[str] = None,
    no_report: Optional[bool] = None,
    force: Optional[bool] = None,
    cpuprofile: Optional[PathLike] = None,
    memprofile: Optional[PathLike] = None,
) -> SubResult:
    """Removes repeated lines, paragraphs or sentences from the records of ``data``.

    Give one policy: ``min_docs=N`` removes a unit from every record when N
    or more records hold it (boilerplate), ``keep_first=True`` keeps it in
    the first record and removes it from later ones. Units are matched on
    their normalised text, placeholder masks folded, so "责任编辑：XX" and
    "责任编辑：×××" are one unit. ``data`` is what ``quchong.dedup`` takes;
    every other keyword is the ``quchong lines`` flag of the same name.

    >>> import quchong
    >>> texts = [
    ...     "北京市今天召开了项目进度讨论会。\\n责任编辑：XX",
    ...     "上海市发布了新的垃圾分类管理办法。\\n责任编辑：×××",
    ...     "广州市地铁十一号线今天开通运营。\\n责任编辑：某某",
    ...     "深圳市举办了第二十届文化产业博览会。",
    ... ]
    >>> result = quchong.lines(texts, min_docs=3, min_unit=5)
    >>> result.texts[:3]
    ['北京市今天召开了项目进度讨论会。', '上海市发布了新的垃圾分类管理办法。', '广州市地铁十一号线今天开通运营。']
    >>> [(r["index"], r["text"], r["count"]) for r in result.removed]
    [(0, '责任编辑：XX', 3), (1, '责任编辑：×××', 3), (2, '责任编辑：某某', 3)]
    >>> quchong.lines(texts)
    Traceback (most recent call last):
    ...
    ValueError: quchong lines: choose a policy: min-docs N (N ≥ 2) or keep-first
    """
    options = {
        "min_docs": min_docs,
        "keep_first": keep_first,
        "unit": unit,
        "min_unit": min_unit,
        "min_length": min_length,
        "no_masks": no_masks,
        "no_t2s": no_t2s,
        "keep_punct": keep_punct,
        "max_doc_bytes": max_doc_bytes,
        "strict": strict,
        "workers": workers,
        "memory": memory,
        "output_compression": output_compression,
        "compression_level": compression_level,
        "no_report": no_report,
        "force": force,
        "cpuprofile": cpuprofile,
        "memprofile": memprofile,
    }
    return _run("lines", data, options, _cli.LINES_FLAGS, text_field=text_field, id_field=id_field,
                output_dir=output_dir, format=format)


def substr(
    data: Any,
    *,
    min_span: Optional[int] = None,
    remove_all: Optional[bool] = None,
    min_length: Optional[int] = None,
    text_field: str = "text",
    id_field: Optional[str] = None,
    no_masks: Optional[bool] = None,
    no_t2s: Optional[bool] = None,
    keep_punct: Optional[bool] = None,
    max_doc_bytes: Optional[int] = None,
    format: Optional[str] = None,
    strict: Optional[bool] = None,
    workers: Optional[int] = None,
    memory: Optional[Union[int, str]] = None,
    output_dir: Optional[PathLike] = None,
    output_compression: Optional[str] = None,
    compression_level: Optional[str] = None,
    no_report: Optional[bool] = None,
    force: Optional[bool] = None,
    cpuprofile: Optional[PathLike] = None,
    memprofile: Optional[PathLike] = None,
) -> SubResult:
    """Removes every span of ``min_span`` or more normalised characters (default
    50) that occurs more than once in ``data`` (Lee et al. 2022, suffix array).

    The first occurrence, in input order, is kept, unless ``remove_all``.
    ``data`` is what ``quchong.dedup`` takes; every other keyword is the
    ``quchong substr`` flag of the same name.

    >>> import quchong
    >>> quote = "本院认为，被告人的行为已构成盗窃罪，依法应予惩处，公诉机关指控的罪名成立"
    >>> texts = ["案件一：张某于夜间入室行窃。" + quote, "案件二：李某在商场扒窃手机。" + quote]
    >>> result = quchong.substr(texts, min_span=20)
    >>> result.texts[1]
    '案件二：李某在商场扒窃手机。'
    >>> [(r["index"], r["reason"]) for r in result.removed]
    [(1, 'span')]
    """
    options = {
        "min_span": min_span,
        "remove_all": remove_all,
        "min_length": min_length,
        "no_masks": no_masks,
        "no_t2s": no_t2s,
        "keep_punct": keep_punct,
        "max_doc_bytes": max_doc_bytes,
        "strict": strict,
        "workers": workers,
        "memory": memory,
        "output_compression": output_compression,
        "compression_level": compression_level,
        "no_report": no_report,
        "force": force,
        "cpuprofile": cpuprofile,
        "memprofile": memprofile,
    }
    return _run("substr", data, options, _cli.SUBSTR_FLAGS, text_field=text_field, id_field=id_field,
                output_dir=output_dir, format=format)
