"""Fixtures for the quchong package's tests: the seed corpus of the repository.

The tests run against the installed package (python/run-tests.sh installs the
wheel into a fresh virtual environment), not the source tree.
"""

from __future__ import annotations

from pathlib import Path

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
