"""`cmake --install` puts the package in <prefix>/lib/python3.X/dist-packages/tflc, and the
installed module finds the installed plugins (<prefix>/lib/tflc/plugins) with no environment."""
import os
import pathlib
import subprocess
import sys

import pytest


def test_installed_package_finds_its_plugins(model, out_dir):
    build = os.environ.get("TFLC_BUILD_DIR")
    if not build:
        pytest.skip("TFLC_BUILD_DIR is not set; run through ctest")
    h5 = model("st_stmnist_v1/stmnist_v1.h5")
    prefix = pathlib.Path(out_dir) / "prefix"
    r = subprocess.run(["cmake", "--install", build, "--prefix", str(prefix)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    site = list(prefix.glob("lib/python3*/dist-packages"))
    assert len(site) == 1, list(prefix.glob("lib/*"))
    assert (site[0] / "tflc" / "lite" / "_converter.py").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("TFLC_PLUGIN_PATH", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site[0])
    code = ("import tflc, sys; assert tflc.__file__.startswith(sys.argv[1]), tflc.__file__; "
            "b = tflc.lite.TFLiteConverter.from_keras_model(sys.argv[2]).convert(); assert b[4:8] == b'TFL3'")
    r = subprocess.run([sys.executable, "-c", code, str(prefix), h5], capture_output=True, text=True, env=env,
                       cwd=str(out_dir))
    assert r.returncode == 0, r.stdout + r.stderr
