"""quchong: exact and near-duplicate removal for text corpora, from Python.

A small typed API over the ``quchong`` Go binary, which the wheel carries
inside the package (``quchong/bin/quchong``): ``dedup`` finds the duplicates
of a list of texts or records, a pandas DataFrame, a pyarrow Table, a Hugging
Face ``datasets.Dataset`` or files; ``filter`` returns the kept records as the
type it was given; ``explain`` says how a pair of texts is judged, and why;
``lines`` and ``substr`` remove the repeated lines, paragraphs, sentences or
substrings inside the documents.

>>> import quchong
>>> quchong.filter(["北京市朝阳区今天召开了项目进度讨论会，各部门负责人参加。",
...                 "北京市朝阳区今天召开了项目进度讨论会。各部门负责人参加！"])
['北京市朝阳区今天召开了项目进度讨论会，各部门负责人参加。']
"""

from ._api import QuchongWarning, dedup, explain, filter
from ._cli import QuchongError, binary
from ._result import Result
from ._sub import SubResult, lines, substr

__all__ = [
    "dedup",
    "filter",
    "explain",
    "lines",
    "substr",
    "Result",
    "SubResult",
    "QuchongError",
    "QuchongWarning",
    "binary",
    "__version__",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quchong")
    except PackageNotFoundError:  # run from the source tree, not installed
        return "0+unknown"


__version__: str = _version()
