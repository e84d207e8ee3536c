"""quchong.dedup, quchong.filter and quchong.explain."""

from __future__ import annotations

import builtins
import json
import os
import shutil
import tempfile
import warnings
from typing import Any, Callable, Optional, Union

from . import _cli, _inputs
from ._result import Result

PathLike = Union[str, "os.PathLike[str]"]


class QuchongWarning(UserWarning):
    """The run completed, but some input file could not be read to its end.

    The documents after each fault are lost (exit code 5 of the binary);
    ``Result.stats["faults"]`` lists the faults. Pass ``strict=True`` to make
    such a run raise instead.
    """


def dedup(
    data: Any,
    *,
    text_field: str = "text",
    id_field: Optional[str] = None,
    threshold: float = 0.6,
    keep: str = "first",
    cluster: Optional[str] = None,
    output_dir: Optional[PathLike] = None,
    min_length: Optional[int] = None,
    lsh_threshold: Optional[float] = None,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    k: Optional[int] = None,
    ngram: Optional[int] = None,
    tokens: Optional[str] = None,
    seed: Optional[int] = None,
    nfkc: Optional[bool] = None,
    case_fold: Optional[bool] = None,
    strip_space: Optional[bool] = None,
    strip_punct: Optional[bool] = None,
    masks: Optional[bool] = None,
    t2s: Optional[bool] = None,
    mask_max_fill: Optional[int] = None,
    max_doc_bytes: Optional[int] = None,
    format: Optional[str] = None,
    strict: Optional[bool] = None,
    workers: Optional[int] = None,
    memory: Optional[Union[int, str]] = None,
    removed: Optional[bool] = None,
    dry_run: Optional[bool] = None,
    output_compression: Optional[str] = None,
    compression_level: Optional[str] = None,
    no_report: Optional[bool] = None,
    force: Optional[bool] = None,
    resume: Optional[bool] = None,
    cpuprofile: Optional[PathLike] = None,
    index: Optional[PathLike] = None,
    index_readonly: Optional[bool] = None,
) -> Result:
    """Finds the exact and near-duplicate documents in ``data``.

    ``data`` is a list of str (the texts), a list of dict, a pandas
    DataFrame, a pyarrow Table, a Hugging Face ``datasets.Dataset`` (the text
    in ``text_field``), or paths of files the ``quchong`` command reads (a
    str or ``os.PathLike``, or a list of ``os.PathLike``: a list of str is
    texts). Every other keyword is the ``quchong dedup`` flag of the same
    name (README.md, "Flags of quchong dedup"); None leaves the flag's
    default. A bad value raises ValueError with the command's message; a
    failed run raises QuchongError with its exit code and stderr.

    Ids in the result are the records' 0-based positions, or their
    ``id_field`` values; for paths, the command's ``PATH:LINE`` ids, or
    the ``id_field`` values.

    Without ``output_dir`` the run writes its outputs (clusters.jsonl,
    stats.json, report.html; ``dry_run`` is then on unless given) to a
    temporary directory that lives as long as the Result. With it, the run
    writes there, as the command would.

    Lines 2 and 4 below are exact duplicates of lines 1 and 3 once
    punctuation is ignored; line 5 is line 1 re-anonymised (the name and
    the year masked):

    >>> import quchong
    >>> texts = [
    ...     "张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ...     "张三于2023年3月在北京市朝阳区购买了一套住房,总价三百万元",
    ...     "今天下午三点在会议室召开项目进度讨论会，请各部门负责人准时参加。",
    ...     "今天下午三点在会议室召开项目进度讨论会。请各部门负责人准时参加！",
    ...     "XX于20**年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ...     "明天上午九点开始进行全体员工消防安全培训，地点在一楼大厅。",
    ... ]
    >>> result = quchong.dedup(texts)
    >>> result.clusters
    [[0, 1, 4], [2, 3]]
    >>> result.kept_mask
    [True, False, True, False, False, True]
    >>> result.stats["total"]["removed"]
    3
    >>> [(row["id"], row["reason"]) for row in result.rows()][:3]
    [(0, 'near'), (1, 'exact'), (4, 'near')]

    A stricter threshold, and a record's own id:

    >>> records = [{"text": t, "doc": f"d{i}"} for i, t in enumerate(texts)]
    >>> quchong.dedup(records, id_field="doc", threshold=0.95).clusters
    [['d0', 'd1', 'd4'], ['d2', 'd3']]
    >>> quchong.dedup(texts, threshold=2)
    Traceback (most recent call last):
    ...
    ValueError: quchong dedup: --threshold 2: want in (0, 1]
    """
    options = {
        "text_field": text_field,
        "threshold": threshold,
        "keep": keep,
        "cluster": cluster,
        "min_length": min_length,
        "lsh_threshold": lsh_threshold,
        "bands": bands,
        "rows": rows,
        "k": k,
        "ngram": ngram,
        "tokens": tokens,
        "seed": seed,
        "nfkc": nfkc,
        "case_fold": case_fold,
        "strip_space": strip_space,
        "strip_punct": strip_punct,
        "masks": masks,
        "t2s": t2s,
        "mask_max_fill": mask_max_fill,
        "max_doc_bytes": max_doc_bytes,
        "format": format,
        "strict": strict,
        "workers": workers,
        "memory": memory,
        "removed": removed,
        "dry_run": dry_run,
        "output_compression": output_compression,
        "compression_level": compression_level,
        "no_report": no_report,
        "force": force,
        "resume": resume,
        "cpuprofile": cpuprofile,
        "index": index,
        "index_readonly": index_readonly,
    }
    kind = _inputs.kind_of(data)
    if kind != "paths" and format is not None:
        raise ValueError("quchong: format applies to paths only; in-memory data is written in a format of quchong's choosing")
    keepalive = None
    if output_dir is None:
        keepalive = tempfile.mkdtemp(prefix="quchong-")
        out = os.path.join(keepalive, "out")
        if dry_run is None:
            options["dry_run"] = True
    else:
        out = os.fspath(output_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="quchong-input-") as workdir:
            prepared = _inputs.prepare(data, kind, workdir, text_field, id_field, keep)
            if kind == "list-str":
                options["text_field"] = "text"
            options["id_field"] = prepared.id_field
            args = ["dedup", "--quiet", f"-o={out}", *_cli.flag_args(options, _cli.DEDUP_FLAGS), *prepared.paths]
            proc = _cli.run(args)
        if proc.returncode == 5:
            warnings.warn(QuchongWarning(proc.stderr.strip()), stacklevel=2)
        return Result(
            output_dir=out,
            n=prepared.n,
            kind=kind,
            position_of=_position_of(prepared, out),
            ids_of=prepared.ids_of,
            keepalive=keepalive,
        )
    except BaseException:
        # A failed call leaves no temporary output behind.
        if keepalive is not None:
            shutil.rmtree(keepalive, ignore_errors=True)
        raise


def _position_of(prepared: _inputs.Prepared, out: str) -> Optional[Callable[[str], int]]:
    """Maps a PATH:LINE id to its 0-based position in the input, if ids are PATH:LINE."""
    if prepared.id_field != _inputs.NO_ID_FIELD:
        return None
    with open(os.path.join(out, "stats.json"), encoding="utf-8") as f:
        inputs = json.load(f)["inputs"]
    offsets: dict[str, int] = {}
    total = 0
    for entry in inputs:
        offsets[entry["path"]] = total
        total += int(entry["read"])

    def position_of(doc_id: str) -> int:
        path, _, line = doc_id.rpartition(":")
        return offsets[path] + int(line) - 1

    return position_of


def filter(data: Any, **options: Any) -> Any:
    """The records of ``data`` that ``dedup`` keeps, as the same type as ``data``.

    ``data`` is a list of str or dict, a pandas DataFrame, a pyarrow Table or
    a ``datasets.Dataset``; ``options`` are ``dedup``'s keywords. A record
    the command rejects (an empty or missing text) is not kept either. For
    files, use ``dedup(paths, output_dir=...)``, which writes the kept
    documents to ``output_dir/kept/``.

    >>> import quchong
    >>> texts = [
    ...     "张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ...     "今天下午三点在会议室召开项目进度讨论会，请各部门负责人准时参加。",
    ...     "XX于20**年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ...     "",
    ... ]
    >>> quchong.filter(texts) == texts[:2]
    True
    >>> records = [{"text": t, "n": i} for i, t in enumerate(texts)]
    >>> [r["n"] for r in quchong.filter(records)]
    [0, 1]
    """
    kind = _inputs.kind_of(data)
    if kind == "paths":
        raise TypeError("quchong.filter: give in-memory data; for files use dedup(paths, output_dir=...), which writes kept/")
    mask = dedup(data, **options).kept_mask
    if kind in ("list-str", "list-dict"):
        kept = [x for x, m in zip(data, mask) if m]
        return builtins.tuple(kept) if isinstance(data, builtins.tuple) else kept
    if kind == "pandas":
        return data.loc[mask] if len(data) else data
    if kind == "arrow":
        import pyarrow as pa

        return data.filter(pa.array(mask, pa.bool_()))
    if kind == "datasets":
        return data.select([i for i, m in enumerate(mask) if m])
    raise AssertionError(kind)


def explain(
    text_a: str,
    text_b: str,
    *,
    threshold: Optional[float] = None,
    min_length: Optional[int] = None,
    lsh_threshold: Optional[float] = None,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    k: Optional[int] = None,
    ngram: Optional[int] = None,
    tokens: Optional[str] = None,
    seed: Optional[int] = None,
    nfkc: Optional[bool] = None,
    case_fold: Optional[bool] = None,
    strip_space: Optional[bool] = None,
    strip_punct: Optional[bool] = None,
    masks: Optional[bool] = None,
    t2s: Optional[bool] = None,
    mask_max_fill: Optional[int] = None,
    full: Optional[bool] = None,
) -> dict[str, Any]:
    """How ``dedup`` judges the pair (``text_a``, ``text_b``), and why.

    Returns the trail of ``quchong explain --json``: both normalised texts
    (under ``"a"`` and ``"b"``, with what each mask was filled with), the
    shingle Jaccard similarity, the signature estimate, the mask-aware
    similarity, the LSH bands collided, the verdict (``"merged"``) with its
    ``"reason"`` and ``"detail"``, the steps the decision took (``"trail"``:
    each a ``"stage"``, its ``"outcome"`` and ``"detail"``), and the
    character differences. The
    keywords are the detection flags of ``quchong dedup``; give the same
    values as the run to see its decision.

    >>> import quchong
    >>> trail = quchong.explain(
    ...     "张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ...     "XX于20**年3月在北京市朝阳区购买了一套住房，总价三百万元。",
    ... )
    >>> trail["merged"], trail["mask_aware_similarity"]
    (True, 1)
    >>> [fill["fill"] for fill in trail["b"]["fills"]]
    ['张三', '2023']
    >>> quchong.explain("今天天气很好", "今天天气很好", threshold=0.9)["reason"]
    'exact'
    """
    for name, text in (("text_a", text_a), ("text_b", text_b)):
        if not isinstance(text, str):
            raise TypeError(f"quchong.explain: {name} is {type(text).__name__}; want str")
    options = {
        "threshold": threshold,
        "min_length": min_length,
        "lsh_threshold": lsh_threshold,
        "bands": bands,
        "rows": rows,
        "k": k,
        "ngram": ngram,
        "tokens": tokens,
        "seed": seed,
        "nfkc": nfkc,
        "case_fold": case_fold,
        "strip_space": strip_space,
        "strip_punct": strip_punct,
        "masks": masks,
        "t2s": t2s,
        "mask_max_fill": mask_max_fill,
        "full": full,
    }
    with tempfile.TemporaryDirectory(prefix="quchong-explain-") as workdir:
        # Relative names, so that the trail calls the two documents "a" and "b".
        for name, text in (("a", text_a), ("b", text_b)):
            with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        args = ["explain", "--json", "--files", *_cli.flag_args(options, _cli.EXPLAIN_FLAGS), "a", "b"]
        proc = _cli.run(args, cwd=workdir)
    trail: dict[str, Any] = json.loads(proc.stdout)
    return trail
