"""Fixtures for the quchong package's tests: the seed corpus of the repository.

The tests run against the installed package (python/run-tests.sh installs the
wheel into a fresh virtual environment), not the source tree.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[2]

# testdata/seed.txt: lines 2 and 3 are identical, line 19 is line 16
# re-anonymised. As 0-based positions, the clusters are [[1, 2], [15, 18]].
SEED_CLUSTERS = [[1, 2], [15, 18]]


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return REPO / "testdata" / "seed.txt"


@pytest.fixture(scope="session")
def seed_texts(seed_path: Path) -> list[str]:
    texts = seed_path.read_text(encoding="utf-8").splitlines()
    assert len(texts) == 20
    return texts


def _help_flags(command: str) -> set[str]:
    """The long flags `quchong help COMMAND` lists."""
    import quchong

    out = subprocess.run([quchong.binary(), "help", command], capture_output=True, text=True).stdout
    out += subprocess.run([quchong.binary(), "help", command], capture_output=True, text=True).stderr
    # A flag's line starts "  -o, --o" (with a shorthand) or "      --name";
    # the lines that continue a description are indented further.
    flags = set(re.findall(r"^(?:  -[a-z], |      )--([a-z0-9-]+)", out, flags=re.M))
    assert len(flags) > 10, out
    return flags


@pytest.fixture(scope="session")
def help_flags() -> Callable[[str], set[str]]:
    """The long flags of a quchong command, from its help."""
    return _help_flags
