#!/usr/bin/env bash
# CTest entry of the Python package's suite (label `python`): PYTHON -m pytest DIR -q.
# The environment (python/CMakeLists.txt) sets PYTHONPATH to the build tree's package, TFLC_BIN,
# TFLC_SHARED_MODELS and TFLC_TEST_OUT. Exit 77 (skipped) when ../shared/models is absent.
set -uo pipefail
py=${1:?usage: run_pytest.sh PYTHON TESTS_DIR}
dir=${2:?usage: run_pytest.sh PYTHON TESTS_DIR}
if [[ ! -d "${TFLC_SHARED_MODELS:-}" ]]; then
  echo "SKIP: ${TFLC_SHARED_MODELS:-../shared/models} not found (the shared model corpus is absent)"
  exit 77
fi
"$py" -c 'import pytest, numpy' 2>/dev/null || { echo "SKIP: $py has no pytest/numpy (apt-get install python3-pytest python3-numpy)"; exit 77; }
exec "$py" -m pytest "$dir" -q -p no:cacheprovider
