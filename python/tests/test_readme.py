"""The Python example of README.md runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import REPO


def test_readme_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert code is not None, "no python block in README.md's Python section"
    lines = code.group(1).splitlines()
    assert len(lines) <= 5
    want = [line.split("  # ", 1)[1] for line in lines if line.startswith("print(")]
    assert want, "the example prints nothing to check"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    assert out.getvalue().splitlines() == want
