"""Finding and running the quchong binary, and turning keywords into flags."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

# The flags of `quchong dedup` that the Python API offers as keywords, by
# keyword name. Left out on purpose: -o (the output_dir keyword), -json (the
# Result is the summary), -quiet and -log-format (the API always runs quietly
# and captures stderr for its exceptions). A test compares this table with
# `quchong help dedup`, so a new flag cannot be forgotten here.
DEDUP_FLAGS: Mapping[str, str] = {
    "text_field": "text-field",
    "id_field": "id-field",
    "threshold": "threshold",
    "keep": "keep",
    "cluster": "cluster",
    "min_length": "min-length",
    "lsh_threshold": "lsh-threshold",
    "bands": "bands",
    "rows": "rows",
    "k": "k",
    "ngram": "ngram",
    "tokens": "tokens",
    "seed": "seed",
    "nfkc": "nfkc",
    "case_fold": "case-fold",
    "strip_space": "strip-space",
    "strip_punct": "strip-punct",
    "masks": "masks",
    "t2s": "t2s",
    "mask_max_fill": "mask-max-fill",
    "max_doc_bytes": "max-doc-bytes",
    "format": "format",
    "strict": "strict",
    "workers": "workers",
    "memory": "memory",
    "removed": "removed",
    "dry_run": "dry-run",
    "output_compression": "output-compression",
    "compression_level": "compression-level",
    "no_report": "no-report",
    "force": "force",
    "resume": "resume",
    "cpuprofile": "cpuprofile",
    "index": "index",
    "index_readonly": "index-readonly",
}

# Flags of dedup the API does not offer as keywords, and why (see above).
DEDUP_FLAGS_NOT_OFFERED: Mapping[str, str] = {
    "output": "the output_dir keyword",
    "json": "the Result holds stats.json",
    "quiet": "always on: the API captures stderr",
    "log-format": "no progress is shown: the API captures stderr",
    "help": "prints the usage, runs nothing",
}

# The flags of `quchong explain` offered by quchong.explain: the detection
# flags, which judge a pair as a dedup run with the same values would, and
# -full. Left out: -files, -input, -json, -color (the API passes texts and
# reads JSON) and the reader flags (-format, -text-field, -id-field,
# -max-doc-bytes), which have no meaning for two texts.
EXPLAIN_FLAGS: Mapping[str, str] = {
    "threshold": "threshold",
    "min_length": "min-length",
    "lsh_threshold": "lsh-threshold",
    "bands": "bands",
    "rows": "rows",
    "k": "k",
    "ngram": "ngram",
    "tokens": "tokens",
    "seed": "seed",
    "nfkc": "nfkc",
    "case_fold": "case-fold",
    "strip_space": "strip-space",
    "strip_punct": "strip-punct",
    "masks": "masks",
    "t2s": "t2s",
    "mask_max_fill": "mask-max-fill",
    "full": "full",
}

EXPLAIN_FLAGS_NOT_OFFERED: Mapping[str, str] = {
    "keep": "the trail's removal section uses the default keep rule (first: text_a)",
    "files": "always on: the API passes two texts",
    "input": "the API passes two texts",
    "json": "always on: the API returns the JSON trail",
    "color": "no terminal output",
    "format": "two texts have no format",
    "text-field": "two texts have no fields",
    "id-field": "two texts have no fields",
    "max-doc-bytes": "two texts given in memory are never rejected",
    "help": "prints the usage, runs nothing",
}


# The flags of `quchong lines` and `quchong substr` offered by quchong.lines
# and quchong.substr, by keyword name; left out as for dedup (the output_dir
# keyword, JSON and progress output). A test compares them with
# `quchong help lines` and `quchong help substr`.
_SUB_COMMON: Mapping[str, str] = {
    "min_length": "min-length",
    "text_field": "text-field",
    "id_field": "id-field",
    "no_masks": "no-masks",
    "no_t2s": "no-t2s",
    "keep_punct": "keep-punct",
    "max_doc_bytes": "max-doc-bytes",
    "format": "format",
    "strict": "strict",
    "workers": "workers",
    "memory": "memory",
    "output_compression": "output-compression",
    "compression_level": "compression-level",
    "no_report": "no-report",
    "force": "force",
    "cpuprofile": "cpuprofile",
    "memprofile": "memprofile",
}

LINES_FLAGS: Mapping[str, str] = {
    "min_docs": "min-docs",
    "keep_first": "keep-first",
    "unit": "unit",
    "min_unit": "min-unit",
    **_SUB_COMMON,
}

SUBSTR_FLAGS: Mapping[str, str] = {
    "min_span": "min-span",
    "remove_all": "remove-all",
    **_SUB_COMMON,
}

SUB_FLAGS_NOT_OFFERED: Mapping[str, str] = {
    "output": "the output_dir keyword",
    "json": "the SubResult holds stats.json",
    "quiet": "always on: the API captures stderr",
    "log-format": "no progress is shown: the API captures stderr",
    "help": "prints the usage, runs nothing",
}


class QuchongError(RuntimeError):
    """A run of the quchong binary that failed.

    ``returncode`` is its exit code (see README.md: 1 unexpected failure, 3 bad
    input, 4 outputs not writable, 5 input files not read to their end) and
    ``stderr`` what it printed on stderr.
    """

    def __init__(self, returncode: int, stderr: str, args: Sequence[str]) -> None:
        self.returncode = returncode
        self.stderr = stderr
        self.cmd = list(args)
        message = stderr.strip() or "(nothing on stderr)"
        super().__init__(f"quchong exited with code {returncode}: {message}")


def binary() -> str:
    """The path of the quchong binary this package runs.

    In order: the QUCHONG_BINARY environment variable, the binary installed
    inside the package (``quchong/bin/quchong``), then ``quchong`` on PATH.
    """
    override = os.environ.get("QUCHONG_BINARY")
    if override:
        return override
    exe = "quchong.exe" if sys.platform == "win32" else "quchong"
    inside = Path(__file__).resolve().parent / "bin" / exe
    if inside.is_file():
        return str(inside)
    found = shutil.which("quchong")
    if found:
        return found
    raise FileNotFoundError(
        f"quchong: no binary at {inside} nor on PATH; install the package from a wheel, "
        "or from source with Go on PATH (`pip install .` at the repository root), "
        "or set QUCHONG_BINARY"
    )


def flag_args(values: Mapping[str, Any], table: Mapping[str, str]) -> list[str]:
    """The command-line flags for the keywords in ``values`` that are not None.

    Every flag is written as ``--name=value``, so that a value starting with a
    dash is never read as a flag; booleans as ``true`` or ``false``.
    """
    args = []
    for name, value in values.items():
        if value is None:
            continue
        flag = table[name]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, os.PathLike):
            text = os.fspath(value)
        else:
            text = str(value)
        args.append(f"--{flag}={text}")
    return args


def run(args: Sequence[str], *, cwd: Optional[str] = None) -> subprocess.CompletedProcess[str]:
    """Runs the binary with ``args``; raises on a failed run.

    Exit code 2 (a bad command line: a bad option value) raises ValueError
    with the binary's message; any other code but 0 and 5 raises
    QuchongError. Exit code 5 (the run completed, some input file could not
    be read to its end) is returned: the caller decides.
    """
    cmd = [binary(), *args]
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode == 2:
        raise ValueError(_first_paragraph(proc.stderr))
    if proc.returncode not in (0, 5):
        raise QuchongError(proc.returncode, proc.stderr, cmd)
    return proc


def _first_paragraph(stderr: str) -> str:
    """The message of a usage error, without the usage text the binary adds."""
    text = stderr.split("\nUsage:", 1)[0]
    if text.startswith("Usage:"):
        text = ""
    return text.strip() or stderr.strip()
