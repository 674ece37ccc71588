"""Shared fixtures: the shared model corpus, the CLI, the e2e harness, an output directory.

Environment (set by CTest, python/CMakeLists.txt): PYTHONPATH=<build>/python, TFLC_BIN (the CLI),
TFLC_SHARED_MODELS (../shared/models), TFLC_TEST_OUT (scratch directory). Tests needing a model
are skipped when it is absent."""
import os
import pathlib
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_ROOT = HERE.parent.parent
SHARED = pathlib.Path(os.environ.get("TFLC_SHARED_MODELS", SOURCE_ROOT.parent / "shared" / "models"))


@pytest.fixture
def model():
    """model("st_stmnist_v1/stmnist_v1.h5") -> absolute path, or skip when the corpus lacks it."""
    def get(rel):
        p = SHARED / rel
        if not p.exists():
            pytest.skip("%s not found (../shared/models is absent)" % p)
        return str(p)
    return get


@pytest.fixture
def tflc_bin():
    b = os.environ.get("TFLC_BIN")
    if not b or not os.path.exists(b):
        pytest.skip("TFLC_BIN (the tflc CLI) is not set; run through ctest")
    return b


@pytest.fixture(scope="session")
def e2e_dir():
    e2e = SOURCE_ROOT / "tests" / "e2e"
    r = subprocess.run([str(e2e / "setup.sh")], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("tests/e2e/setup.sh failed (npm dependencies): " + r.stderr[-500:])
    return e2e


@pytest.fixture
def out_dir(request, tmp_path):
    base = os.environ.get("TFLC_TEST_OUT")
    if not base:
        return tmp_path
    d = pathlib.Path(base) / request.node.name
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        if f.is_file():
            f.unlink()
    return d
