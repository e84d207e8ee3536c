"""The Python examples of README.md run and print what their comments say."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import REPO


def test_readme_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 2, "README.md's Python section lost its examples"
    for block in blocks:
        lines = block.splitlines()
        assert len(lines) <= 5
        want = [line.split("  # ", 1)[1] for line in lines if line.startswith("print(")]
        assert want, "the example prints nothing to check"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), {})
        assert out.getvalue().splitlines() == want
