#!/usr/bin/env bash
# Tests the Python package as its users get it: builds the wheel (`pip wheel .`,
# which compiles the Go binary), installs it into a fresh virtual environment
# with the test dependencies (pinned), and runs the pytest suite and the
# package's doctests against the installed package, not the source tree,
# after type-checking the package with mypy --strict.
# Also cross-builds the manylinux aarch64 wheel and checks its tag and binary.
# Needs Go and Python >= 3.11 (pandas 3); PYTHON names another interpreter.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=${PYTHON:-python3}

"$py" -m venv "$work/venv"
pip=("$work/venv/bin/pip" --disable-pip-version-check -q)
"${pip[@]}" install pytest==9.2.0 pyarrow==26.0.1 pandas==3.1.1 datasets==5.2.0 \
  datatrove==0.10.1 orjson==3.13.0 mypy==2.4.1

echo "python/run-tests.sh: mypy --strict python/quchong" >&2
(cd "$repo" && "$work/venv/bin/mypy")

echo "python/run-tests.sh: building the wheels" >&2
(cd "$repo" && "${pip[@]}" wheel --no-deps . -w "$work/dist")
(cd "$repo" && GOARCH=arm64 "${pip[@]}" wheel --no-deps . -w "$work/dist-arm64")
"$work/venv/bin/python" - "$work/dist" "$work/dist-arm64" <<'PY'
# Each wheel is tagged for the architecture its binary was built for, and the
# binary is a static executable (no interpreter: CGO_ENABLED=0).
import glob, sys, zipfile
for folder, arch, machine in ((sys.argv[1], "x86_64", 62), (sys.argv[2], "aarch64", 183)):
    (wheel,) = glob.glob(folder + "/quchong-*.whl")
    assert wheel.endswith(f"-py3-none-manylinux_2_17_{arch}.manylinux2014_{arch}.musllinux_1_1_{arch}.whl"), wheel
    with zipfile.ZipFile(wheel) as z:
        info = z.getinfo("quchong/bin/quchong")
        assert info.external_attr >> 16 & 0o111, "binary not executable"
        elf = z.read(info)
    assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == machine, (wheel, elf[:20])
    assert b"/lib64/ld-linux" not in elf and b"/lib/ld-linux" not in elf, "dynamically linked"
    print(f"python/run-tests.sh: {wheel.rsplit('/', 1)[1]}: static {arch} binary, {info.file_size >> 20} MiB")
PY

"${pip[@]}" install --no-deps "$work"/dist/quchong-*.whl
# From outside the repository, so that `import quchong` can only be the installed package.
cd "$work"
QUCHONG_TEST_INSTALLED=1 "$work/venv/bin/pytest" -p no:cacheprovider -q --rootdir="$repo/python/tests" \
  "$repo/python/tests" --doctest-modules --pyargs quchong
