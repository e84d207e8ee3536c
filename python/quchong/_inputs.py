"""Turning the data given to quchong.dedup into files the binary reads.

Tables (pandas, pyarrow, Hugging Face datasets) go to one Parquet file holding
only the columns a run needs (the text, and the field of a max:/min: keep
rule), written a slice at a time, so that no second copy of the table is ever
held in memory and no text goes through JSON. Lists of str or dict go to a
JSON Lines file, one record at a time. Paths are handed to the binary as they
are.

The files written here have no id column: every document's id in the run is
PATH:ROW, so a row of clusters.jsonl maps straight back to its position in
the data. The user's ids (id_field) are looked up from those positions.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

# The Parquet row groups written for the binary hold about this many bytes of
# text: it reads a row group at a time.
_ROW_GROUP_BYTES = 32 << 20

# Rows of a table converted to Arrow and written at a time.
_SLICE_ROWS = 65536

# The id field name given to the binary for files without ids, so that every
# id is PATH:LINE (the binary treats an empty --id-field as its default, "id").
NO_ID_FIELD = "__quchong_no_id__"


@dataclass
class Prepared:
    """What the binary is run on, and how its ids map back to the data."""

    # Kind of data: "list-str", "list-dict", "pandas", "arrow", "datasets" or "paths".
    kind: str
    # Paths passed to the binary.
    paths: list[str]
    # The --id-field to pass.
    id_field: str
    # Number of records given (None for paths: the binary counts them).
    n: Optional[int]
    # Maps a list of 0-based positions to the user's ids (None: the positions are the ids).
    ids_of: Optional[Callable[[list[int]], list[Any]]]


def kind_of(data: Any) -> str:
    """The kind of ``data``, without importing a library it cannot be from."""
    if isinstance(data, (str, os.PathLike)):
        return "paths"
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        return "pandas"
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(data, (pa.Table, pa.RecordBatch)):
        return "arrow"
    ds = sys.modules.get("datasets")
    if ds is not None and isinstance(data, ds.Dataset):
        return "datasets"
    if ds is not None and isinstance(data, getattr(ds, "IterableDataset", ())):
        raise TypeError(
            "quchong: an IterableDataset cannot be deduplicated in place; "
            "materialise it (datasets.Dataset.from_generator) or pass its files"
        )
    if isinstance(data, (list, tuple)):
        if not data:
            return "list-str"
        first = data[0]
        if isinstance(first, str):
            return "list-str"
        if isinstance(first, os.PathLike):
            return "paths"
        if isinstance(first, dict):
            return "list-dict"
        raise TypeError(f"quchong: data[0] is {type(first).__name__}; want str, dict or a path")
    raise TypeError(
        f"quchong: cannot deduplicate a {type(data).__module__}.{type(data).__name__}; "
        "give a list of str or dict, a pandas DataFrame, a pyarrow Table, "
        "a datasets.Dataset, or paths"
    )


def keep_field(keep: str) -> Optional[str]:
    """The field a keep rule reads (max:FIELD, min:FIELD), if any."""
    for prefix in ("max:", "min:"):
        if keep.startswith(prefix):
            return keep[len(prefix) :]
    return None


def prepare(data: Any, kind: str, workdir: str, text_field: str, id_field: Optional[str], keep: str) -> Prepared:
    """Writes ``data`` under ``workdir`` (unless it is paths) for the binary."""
    if kind == "paths":
        items = [data] if isinstance(data, (str, os.PathLike)) else list(data)
        for i, p in enumerate(items):
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"quchong: paths[{i}] is {type(p).__name__}; want str or os.PathLike")
        return Prepared(kind, [os.fspath(p) for p in items], id_field or NO_ID_FIELD, None, None)

    columns = [text_field]
    extra = keep_field(keep)
    if extra is not None and extra != text_field:
        columns.append(extra)
    if kind == "list-str":
        path = os.path.join(workdir, "data.jsonl")
        _write_strings(data, path)
        if id_field is not None:
            raise ValueError("quchong: id_field needs records with fields; the ids of a list of str are its positions")
        return Prepared(kind, [path], NO_ID_FIELD, len(data), None)
    if kind == "list-dict":
        path = os.path.join(workdir, "data.jsonl")
        _write_dicts(data, path, columns)
        ids_of = None
        if id_field is not None:
            ids_of = lambda pos: [data[i].get(id_field) for i in pos]  # noqa: E731
        return Prepared(kind, [path], NO_ID_FIELD, len(data), ids_of)

    path = os.path.join(workdir, "data.parquet")
    if kind == "pandas":
        n = _write_pandas(data, path, columns, id_field)
        ids_of = None
        if id_field is not None:
            col = data[id_field]
            ids_of = lambda pos: col.iloc[pos].tolist()  # noqa: E731
        return Prepared(kind, [path], NO_ID_FIELD, n, ids_of)
    if kind == "arrow":
        n = _write_arrow(data, path, columns, id_field)
        ids_of = None
        if id_field is not None:
            col = data.column(id_field)
            ids_of = lambda pos: col.take(pos).to_pylist()  # noqa: E731
        return Prepared(kind, [path], NO_ID_FIELD, n, ids_of)
    if kind == "datasets":
        n = _write_dataset(data, path, columns, id_field)
        ids_of = None
        if id_field is not None:
            ids_of = lambda pos: data.select_columns([id_field]).select(pos).to_dict()[id_field]  # noqa: E731
        return Prepared(kind, [path], NO_ID_FIELD, n, ids_of)
    raise AssertionError(kind)


def _write_strings(data: Sequence[Any], path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(data):
            if not isinstance(text, str):
                raise TypeError(f"quchong: data[{i}] is {type(text).__name__}; a list of texts must hold only str")
            f.write('{"text":')
            f.write(json.dumps(text, ensure_ascii=False))
            f.write("}\n")


def _write_dicts(data: Sequence[Any], path: str, columns: list[str]) -> None:
    # Only the fields the run reads are written: a missing or non-string text
    # is left for the binary to reject (missing-text, non-string-text), so
    # that it is counted and listed in Result.rejected like in any file.
    with open(path, "w", encoding="utf-8") as f:
        for i, record in enumerate(data):
            if not isinstance(record, dict):
                raise TypeError(f"quchong: data[{i}] is {type(record).__name__}; a list of records must hold only dict")
            out = {c: record[c] for c in columns if c in record}
            try:
                line = json.dumps(out, ensure_ascii=False)
            except (TypeError, ValueError) as err:
                raise TypeError(f"quchong: data[{i}]: {err}") from err
            f.write(line)
            f.write("\n")


def _require_pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:  # pragma: no cover - exercised only without pyarrow
        raise ImportError("quchong: tables need pyarrow (pip install 'quchong[arrow]')") from err
    return pa, pq


def _check_columns(names: Sequence[str], columns: list[str], id_field: Optional[str]) -> None:
    for c in [*columns, *([id_field] if id_field is not None else [])]:
        if c not in names:
            raise ValueError(f"quchong: no column {c!r} in the data (columns: {', '.join(map(str, names))})")


def _check_text_type(pa: Any, schema: Any, text_field: str) -> None:
    t = schema.field(text_field).type
    if pa.types.is_dictionary(t):
        t = t.value_type
    ok = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
    ok = ok or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t))
    if not ok:
        raise ValueError(f"quchong: column {text_field!r} has type {t}; want a string column")


class _ParquetSink:
    """A Parquet file written a table slice at a time, in row groups of about
    _ROW_GROUP_BYTES."""

    def __init__(self, path: str) -> None:
        self.pa, self.pq = _require_pyarrow()
        self.path = path
        self.writer: Any = None
        self.rows = 0

    def write(self, table: Any) -> None:
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(self.path, table.schema, compression="none")
        if table.num_rows == 0:
            return
        per_row = max(1, table.nbytes // table.num_rows)
        self.writer.write_table(table, row_group_size=max(1, _ROW_GROUP_BYTES // per_row))
        self.rows += table.num_rows

    def close(self, schema: Any) -> int:
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(self.path, schema, compression="none")
        self.writer.close()
        return self.rows


def _write_arrow(table: Any, path: str, columns: list[str], id_field: Optional[str]) -> int:
    pa, _ = _require_pyarrow()
    _check_columns(table.schema.names, columns, id_field)
    _check_text_type(pa, table.schema, columns[0])
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    table = table.select(columns)
    sink = _ParquetSink(path)
    for batch in table.to_batches(max_chunksize=_SLICE_ROWS):
        sink.write(pa.Table.from_batches([batch]))
    return sink.close(table.schema)


def _write_pandas(df: Any, path: str, columns: list[str], id_field: Optional[str]) -> int:
    pa, _ = _require_pyarrow()
    _check_columns([str(c) for c in df.columns], columns, id_field)
    sink = _ParquetSink(path)
    schema = None
    n = len(df)
    for start in range(0, max(n, 1), _SLICE_ROWS):
        part = df.iloc[start : start + _SLICE_ROWS][columns]
        try:
            table = pa.Table.from_pandas(part, preserve_index=False)
            _check_text_type(pa, table.schema, columns[0])
            if schema is None:
                if pa.types.is_null(table.schema.field(0).type):
                    # A first slice of missing texts only: later slices hold strings.
                    table = table.set_column(0, columns[0], table.column(0).cast(pa.large_string()))
                schema = table.schema
            elif table.schema != schema:
                table = table.cast(schema)
        except (ValueError, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:  # ArrowInvalid is a ValueError
            reason = str(err).removeprefix("quchong: ")
            raise ValueError(f"quchong: rows {start}..{start + len(part) - 1}: {reason}") from err
        sink.write(table)
    return sink.close(schema)


def _write_dataset(ds: Any, path: str, columns: list[str], id_field: Optional[str]) -> int:
    pa, _ = _require_pyarrow()
    _check_columns(ds.column_names, columns, id_field)
    part = ds.select_columns(columns).with_format("arrow")
    sink = _ParquetSink(path)
    schema = None
    for table in part.iter(batch_size=_SLICE_ROWS):
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        if schema is None:
            _check_text_type(pa, table.schema, columns[0])
            schema = table.schema
        sink.write(table)
    if schema is None:
        schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    return sink.close(schema)
