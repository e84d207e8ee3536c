"""Hatchling build hook: compiles the Go binary into the wheel.

`pip install .` and `pip wheel .` (from the repository root) run this hook. It
runs `go build` on ./cmd/quchong with CGO_ENABLED=0, so the binary is static
and the wheel installs on any Linux of its architecture with no Go at all,
places it at quchong/bin/quchong inside the wheel, and tags the wheel for the
platform the binary was built for (py3-none-<platform>: the Python code is pure,
the binary is the only native part and needs no libc).

Cross-building: set GOOS and/or GOARCH (e.g. `GOARCH=arm64 pip wheel .` builds
a manylinux aarch64 wheel on an x86_64 machine); without them the wheel is for
the building machine. Go must be on PATH, or named by the GO variable.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Python's names for the machine, as Go's GOARCH names them.
_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
}

# The wheel platform tag of a static binary for each (GOOS, GOARCH). A Go
# binary built with CGO_ENABLED=0 links no libc, so the oldest manylinux tag
# pip knows (2014, glibc 2.17) is honest, and musllinux (Alpine) holds too.
_PLATFORM_TAGS = {
    ("linux", "amd64"): "manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64",
    ("linux", "arm64"): "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
    ("darwin", "amd64"): "macosx_10_15_x86_64",
    ("darwin", "arm64"): "macosx_11_0_arm64",
    ("windows", "amd64"): "win_amd64",
    ("windows", "arm64"): "win_arm64",
}


def _host_goos() -> str:
    return {"linux": "linux", "darwin": "darwin", "win32": "windows"}.get(sys.platform, sys.platform)


def _host_goarch() -> str:
    machine = platform.machine().lower()
    return _GOARCH.get(machine, machine)


class CustomBuildHook(BuildHookInterface):
    """Builds ./cmd/quchong and adds it to the wheel as quchong/bin/quchong
    (into python/quchong/bin/ for an editable install)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        goos = os.environ.get("GOOS") or _host_goos()
        goarch = os.environ.get("GOARCH") or _host_goarch()
        tag = _PLATFORM_TAGS.get((goos, goarch))
        if tag is None:
            raise RuntimeError(f"quchong: no wheel platform tag for GOOS={goos} GOARCH={goarch}")
        go = os.environ.get("GO") or shutil.which("go")
        if go is None:
            raise RuntimeError(
                "quchong: building the package from source needs Go (>= 1.26) on PATH "
                "(or its path in the GO variable); a wheel built with `pip wheel .` installs without it"
            )
        exe = "quchong.exe" if goos == "windows" else "quchong"
        if version == "editable":
            # `pip install -e .` imports the package from python/quchong, so
            # the binary goes there (git-ignored), and is rebuilt by rerunning
            # the install after a change to the Go code.
            out = os.path.join(self.root, "python", "quchong", "bin", exe)
        else:
            self._tmp = tempfile.mkdtemp(prefix="quchong-go-build-")
            out = os.path.join(self._tmp, exe)
        env = dict(os.environ, CGO_ENABLED="0", GOOS=goos, GOARCH=goarch)
        cmd = [go, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, "./cmd/quchong"]
        self.app.display_info(f"quchong: {' '.join(cmd)} (GOOS={goos} GOARCH={goarch} CGO_ENABLED=0)")
        try:
            subprocess.run(cmd, cwd=self.root, env=env, check=True)
        except subprocess.CalledProcessError as err:
            raise RuntimeError(f"quchong: go build failed with exit code {err.returncode}") from err
        if version != "editable":
            build_data["force_include"][out] = f"quchong/bin/{exe}"
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{tag}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
